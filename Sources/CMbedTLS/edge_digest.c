/* Message digests the rest of edgectl needs outside TLS itself. */
#include "edge_mbedtls.h"

#include <mbedtls/sha1.h>

int edge_sha1(const unsigned char *data, size_t len, unsigned char out[20]) {
    return mbedtls_sha1_ret(data, len, out);
}

#include <mbedtls/sha256.h>

int edge_sha256(const unsigned char *data, size_t len, unsigned char out[32]) {
    return mbedtls_sha256_ret(data, len, out, 0);
}
