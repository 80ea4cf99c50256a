/* Message digests the rest of edgectl needs outside TLS itself. */
#include "edge_mbedtls.h"

#include "edge_compat.h"
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>

int edge_sha1(const unsigned char *data, size_t len, unsigned char out[20]) {
    return edge_sha1_digest(data, len, out);
}

int edge_sha256(const unsigned char *data, size_t len, unsigned char out[32]) {
    return edge_sha256_digest(data, len, out);
}

int edge_hmac_sha256(const unsigned char *key, size_t keylen, const unsigned char *data, size_t len, unsigned char out[32]) {
    return mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, keylen, data, len, out);
}

int edge_pbkdf2_sha256(const unsigned char *password, size_t plen, const unsigned char *salt, size_t slen,
                       unsigned int iterations, unsigned char out[32]) {
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    if (rc == 0) rc = mbedtls_pkcs5_pbkdf2_hmac(&ctx, password, plen, salt, slen, iterations, 32, out);
    mbedtls_md_free(&ctx);
    return rc;
}
