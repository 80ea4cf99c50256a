#ifndef EDGE_COMPAT_H
#define EDGE_COMPAT_H
/* The shim builds with mbedtls 2.28 (Debian bookworm, the x86_64 build) and 3.6
 * (Debian trixie/sid, the cross builds). 3.x made struct fields private (reached
 * through MBEDTLS_PRIVATE), dropped the _ret suffix of the digest functions, gave
 * key parsing an RNG, and replaced the version setters. Everything that differs is
 * here, so the rest of the shim reads the same on both. */
#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define EDGE_MBEDTLS_3 1
#else
#define EDGE_MBEDTLS_3 0
#endif

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(member) member
#endif

mbedtls_ctr_drbg_context *edge_drbg(void);

static inline int edge_pk_parse_key(mbedtls_pk_context *pk, const unsigned char *key, size_t len) {
#if EDGE_MBEDTLS_3
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0, mbedtls_ctr_drbg_random, edge_drbg());
#else
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0);
#endif
}

/* Whether prv is the private key of pub; 3.x takes an RNG for the check. */
static inline int edge_pk_check_pair(const mbedtls_pk_context *pub, const mbedtls_pk_context *prv) {
#if EDGE_MBEDTLS_3
    return mbedtls_pk_check_pair(pub, prv, mbedtls_ctr_drbg_random, edge_drbg());
#else
    return mbedtls_pk_check_pair(pub, prv);
#endif
}

static inline int edge_sha256_digest(const unsigned char *data, size_t len, unsigned char out[32]) {
#if EDGE_MBEDTLS_3
    return mbedtls_sha256(data, len, out, 0);
#else
    return mbedtls_sha256_ret(data, len, out, 0);
#endif
}

static inline int edge_sha1_digest(const unsigned char *data, size_t len, unsigned char out[20]) {
#if EDGE_MBEDTLS_3
    return mbedtls_sha1(data, len, out);
#else
    return mbedtls_sha1_ret(data, len, out);
#endif
}

/* A signature over a SHA-256 hash; 3.x also takes the size of sig (2.28 needs
 * MBEDTLS_PK_SIGNATURE_MAX_SIZE bytes there). */
static inline int edge_pk_sign_sha256(mbedtls_pk_context *pk, const unsigned char hash[32], unsigned char *sig, size_t sig_size,
                                      size_t *sig_len) {
#if EDGE_MBEDTLS_3
    return mbedtls_pk_sign(pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_size, sig_len, mbedtls_ctr_drbg_random, edge_drbg());
#else
    if (sig_size < MBEDTLS_PK_SIGNATURE_MAX_SIZE) return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
    return mbedtls_pk_sign(pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len, mbedtls_ctr_drbg_random, edge_drbg());
#endif
}

/* TLS 1.2 only, on both: the cipher suites below are TLS 1.2 suites, and 3.6's TLS 1.3
 * would need the PSA key store set up for every session. */
static inline void edge_ssl_conf_tls12(mbedtls_ssl_config *conf) {
#if EDGE_MBEDTLS_3
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
}

/* Server identity is the cluster CA's signature, as with 2.28: 3.6.3 and later refuse to
 * verify a peer certificate unless a hostname was set, and NULL says "none, on purpose". */
static inline int edge_ssl_no_hostname_check(mbedtls_ssl_context *ssl) {
#if EDGE_MBEDTLS_3 && defined(MBEDTLS_X509_CRT_PARSE_C)
    return mbedtls_ssl_set_hostname(ssl, NULL);
#else
    (void)ssl;
    return 0;
#endif
}

#endif
