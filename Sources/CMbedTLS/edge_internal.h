#ifndef EDGE_INTERNAL_H
#define EDGE_INTERNAL_H
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509.h>
/* One process-wide DRBG, seeded once; mbedtls is built with THREADING_C so
 * concurrent use from several event-loop threads is safe. */
mbedtls_ctr_drbg_context *edge_drbg(void);
char *edge_name_lines(const mbedtls_x509_name *n);

/* Room for the DER of one certificate or CSR edgectl writes (mbedtls 2.28's own PEM
 * writers allowed 4096). */
#define EDGE_DER_MAX 8192
/* The DER of a Certificate (certificate != 0) or CertificationRequest that mbedtls wrote
 * with an EC key, with ecdsa-with-SHA256's AlgorithmIdentifiers written without the NULL
 * parameter mbedtls 2.28 adds (RFC 5758 section 3.2); a changed TBSCertificate is signed
 * again with signer (the issuer's key). Unchanged when there is no NULL. 0 on success,
 * or an mbedtls error: malformed input, out_cap too small, a failed signature. */
int edge_ecdsa_der_without_null(int certificate, const unsigned char *der, size_t der_len, mbedtls_pk_context *signer,
                                unsigned char *out, size_t out_cap, size_t *out_len);
#endif
