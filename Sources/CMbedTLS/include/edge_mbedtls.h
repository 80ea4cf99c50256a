#ifndef EDGE_MBEDTLS_H
#define EDGE_MBEDTLS_H

#include <stddef.h>
#include <stdint.h>

/* Every function that can fail returns 0 on success and writes a message to
 * err (errlen bytes) otherwise. Strings returned through char** are malloc'd:
 * free them with edge_free. */

void edge_free(void *p);

/* ---- PKI ---- */
int edge_gen_ec_key(char **key_pem, char *err, size_t errlen);
/* A self-signed CA certificate, valid from not_before_offset to not_after_offset (seconds from now, as edge_sign_cert). */
int edge_make_ca(const char *key_pem, const char *subject, int64_t not_before_offset, int64_t not_after_offset, char **crt_pem,
                 char *err, size_t errlen);
/* 0 when crt_pem parses, is a CA (basicConstraints cA) and key_pem is the private key of its public key:
 * a CA read back from disk can sign with it. */
int edge_check_ca(const char *crt_pem, const char *key_pem, char *err, size_t errlen);
/* Signs a certificate for subject_key_pem (private or public key PEM) with the CA.
 * subject: "CN=admin,O=system:masters". dns/ips: SAN entries. usage: bit 1 serverAuth, bit 2 clientAuth.
 * not_before_offset/not_after_offset: validity in seconds from now (negative: in the past). */
int edge_sign_cert(const char *ca_crt_pem, const char *ca_key_pem, const char *subject_key_pem, const char *subject,
                   const char *const *dns, int ndns, const char *const *ips, int nips, int usage,
                   int64_t not_before_offset, int64_t not_after_offset, char **crt_pem, char *err, size_t errlen);
int edge_make_csr(const char *key_pem, const char *subject, char **csr_pem, char *err, size_t errlen);
/* subject as "CN=x\nO=y\n" lines; public key as PEM. */
int edge_csr_info(const char *csr_pem, char **subject_lines, char **pubkey_pem, char *err, size_t errlen);
/* subject lines, notBefore and notAfter (unix seconds), SANs as "DNS:x\nIP:y\n" lines. */
int edge_cert_info(const char *crt_pem, char **subject_lines, int64_t *not_before, int64_t *not_after, char **san_lines,
                   char *err, size_t errlen);
/* *has_null = 1 when the certificate's signature AlgorithmIdentifier is ecdsa-with-SHA256 followed by
 * the NULL parameter mbedtls 2.28 wrote before edgectl corrected it (RFC 5758: absent). */
int edge_cert_has_ecdsa_null(const char *crt_pem, int *has_null, char *err, size_t errlen);
/* SHA-256 of the first certificate's SubjectPublicKeyInfo (kubeadm's CA cert hash). */
int edge_spki_sha256(const char *crt_pem, unsigned char out[32], char *err, size_t errlen);

/* JWS ES256: SHA-256 + ECDSA P-256, signature as raw r||s. verify returns 0 when valid. */
int edge_es256_sign(const char *key_pem, const unsigned char *data, size_t len, unsigned char sig[64], char *err, size_t errlen);
int edge_es256_verify(const char *key_pem, const unsigned char *data, size_t len, const unsigned char sig[64]);

/* SHA-1 (the WebSocket handshake's Sec-WebSocket-Accept; not for security). */
int edge_sha1(const unsigned char *data, size_t len, unsigned char out[20]);
int edge_sha256(const unsigned char *data, size_t len, unsigned char out[32]);
/* AES-GCM (12-byte nonce, 16-byte tag); 0 on success, an mbedtls error otherwise (a bad tag on open). */
int edge_aes_gcm_seal(const unsigned char *key, size_t key_len, const unsigned char *nonce, const unsigned char *aad, size_t aad_len,
                      const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag);
int edge_aes_gcm_open(const unsigned char *key, size_t key_len, const unsigned char *nonce, const unsigned char *aad, size_t aad_len,
                      const unsigned char *in, size_t len, const unsigned char *tag, unsigned char *out);
/* AES-CBC over whole 16-byte blocks (the caller pads): encrypt != 0 encrypts, else decrypts; 0 on success. */
int edge_aes_cbc(int encrypt, const unsigned char *key, size_t key_len, const unsigned char iv[16],
                 const unsigned char *in, size_t len, unsigned char *out);

/* HMAC-SHA-256 and PBKDF2-HMAC-SHA-256 (SCRAM-SHA-256, PostgreSQL's password authentication). */
int edge_hmac_sha256(const unsigned char *key, size_t keylen, const unsigned char *data, size_t len, unsigned char out[32]);
int edge_pbkdf2_sha256(const unsigned char *password, size_t plen, const unsigned char *salt, size_t slen,
                       unsigned int iterations, unsigned char out[32]);

/* ---- TLS sessions over memory buffers ---- */
typedef struct edge_tls_config edge_tls_config;
typedef struct edge_tls edge_tls;

/* client_ca_pem may be NULL: then no client certificate is requested. */
edge_tls_config *edge_tls_server_config(const char *chain_pem, const char *key_pem, const char *client_ca_pem,
                                        char *err, size_t errlen);
/* ca_pem NULL: the server is not verified (only for fetching a CA whose hash is then checked).
 * crt_pem/key_pem may be NULL (no client certificate). */
edge_tls_config *edge_tls_client_config(const char *ca_pem, const char *crt_pem, const char *key_pem, char *err, size_t errlen);
void edge_tls_config_free(edge_tls_config *c);

edge_tls *edge_tls_new(edge_tls_config *c, char *err, size_t errlen);
void edge_tls_free(edge_tls *t);

/* Ciphertext that arrived from the network. */
int edge_tls_feed(edge_tls *t, const unsigned char *data, size_t len);
#define EDGE_TLS_DONE 0
#define EDGE_TLS_WANT 1
#define EDGE_TLS_CLOSED (-1)
#define EDGE_TLS_ERROR (-2)
/* Advances the handshake: EDGE_TLS_DONE, EDGE_TLS_WANT (needs more input) or an error. */
int edge_tls_handshake(edge_tls *t, char *err, size_t errlen);
/* Plaintext: >0 bytes read, 0 when more input is needed, EDGE_TLS_CLOSED on close_notify, EDGE_TLS_ERROR. */
int edge_tls_read(edge_tls *t, unsigned char *buf, size_t len, char *err, size_t errlen);
/* Encrypts plaintext into the output buffer: returns bytes consumed (>0) or EDGE_TLS_ERROR. */
int edge_tls_write(edge_tls *t, const unsigned char *buf, size_t len, char *err, size_t errlen);
int edge_tls_close_notify(edge_tls *t);
/* Ciphertext waiting to be sent. */
size_t edge_tls_out_len(edge_tls *t);
const unsigned char *edge_tls_out_data(edge_tls *t);
void edge_tls_out_consume(edge_tls *t, size_t n);
/* After the handshake: 1 and the subject lines if the peer sent a certificate that verified; 0 otherwise. */
int edge_tls_verified_peer(edge_tls *t, char **subject_lines);
/* The peer's certificate chain as PEM (whether verified or not). */
int edge_tls_peer_chain(edge_tls *t, char **chain_pem);

/* The mbedtls release the shim was built against, as "2.28.3". */
const char *edge_mbedtls_version(void);

#endif
