/* TLS sessions driven from SwiftNIO: mbedtls reads from and writes to memory
 * buffers here; the Swift channel handler moves bytes between those buffers
 * and the socket. No Swift closure is ever a C callback. */
#include "edge_mbedtls.h"
#include "edge_internal.h"
#include "edge_compat.h"

#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <pthread.h>
#if EDGE_MBEDTLS_3 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static pthread_once_t drbg_once = PTHREAD_ONCE_INIT;

static void drbg_init(void) {
#if EDGE_MBEDTLS_3 && defined(MBEDTLS_PSA_CRYPTO_C)
    /* 3.x routes some key and TLS operations through PSA, which must be set up first. */
    if (psa_crypto_init() != PSA_SUCCESS) abort();
#endif
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const char pers[] = "edgectl";
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)pers, sizeof pers) != 0) abort();
}

mbedtls_ctr_drbg_context *edge_drbg(void) {
    pthread_once(&drbg_once, drbg_init);
    return &drbg;
}

static void set_err(char *err, size_t errlen, const char *what, int rc) {
    if (!err || !errlen) return;
    char buf[160];
    mbedtls_strerror(rc, buf, sizeof buf);
    snprintf(err, errlen, "%s: %s (-0x%04x)", what, buf, (unsigned)-rc);
}

struct edge_tls_config {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt own_chain;
    mbedtls_pk_context own_key;
    mbedtls_x509_crt ca;
    int has_own, has_ca;
    int endpoint; /* MBEDTLS_SSL_IS_CLIENT or MBEDTLS_SSL_IS_SERVER */
};

/* TLS 1.2 ECDHE-ECDSA with AES-GCM or ChaCha20: what Go, OpenSSL and curl all offer. */
static const int ciphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};
static const char *alpn[] = {"http/1.1", NULL};

static edge_tls_config *config_new(int endpoint, char *err, size_t errlen) {
    edge_tls_config *c = calloc(1, sizeof *c);
    c->endpoint = endpoint;
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->own_chain);
    mbedtls_pk_init(&c->own_key);
    mbedtls_x509_crt_init(&c->ca);
    int rc = mbedtls_ssl_config_defaults(&c->conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc) { set_err(err, errlen, "failed to set up TLS", rc); edge_tls_config_free(c); return NULL; }
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, edge_drbg());
    edge_ssl_conf_tls12(&c->conf);
    mbedtls_ssl_conf_ciphersuites(&c->conf, ciphersuites);
    mbedtls_ssl_conf_alpn_protocols(&c->conf, alpn);
    return c;
}

static int load_own(edge_tls_config *c, const char *chain_pem, const char *key_pem, char *err, size_t errlen) {
    int rc = mbedtls_x509_crt_parse(&c->own_chain, (const unsigned char *)chain_pem, strlen(chain_pem) + 1);
    if (rc) { set_err(err, errlen, "failed to parse certificate", rc); return rc; }
    rc = edge_pk_parse_key(&c->own_key, (const unsigned char *)key_pem, strlen(key_pem) + 1);
    if (rc) { set_err(err, errlen, "failed to parse private key", rc); return rc; }
    rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->own_chain, &c->own_key);
    if (rc) { set_err(err, errlen, "certificate and key do not match", rc); return rc; }
    c->has_own = 1;
    return 0;
}

edge_tls_config *edge_tls_server_config(const char *chain_pem, const char *key_pem, const char *client_ca_pem,
                                        char *err, size_t errlen) {
    edge_tls_config *c = config_new(MBEDTLS_SSL_IS_SERVER, err, errlen);
    if (!c) return NULL;
    if (load_own(c, chain_pem, key_pem, err, errlen)) { edge_tls_config_free(c); return NULL; }
    if (client_ca_pem) {
        int rc = mbedtls_x509_crt_parse(&c->ca, (const unsigned char *)client_ca_pem, strlen(client_ca_pem) + 1);
        if (rc) { set_err(err, errlen, "failed to parse client CA", rc); edge_tls_config_free(c); return NULL; }
        c->has_ca = 1;
        mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
        /* Optional: clients with bearer tokens (or none) must still connect; the
         * certificate counts only if it verified (checked after the handshake). */
        mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    } else {
        mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    return c;
}

edge_tls_config *edge_tls_client_config(const char *ca_pem, const char *crt_pem, const char *key_pem, char *err, size_t errlen) {
    edge_tls_config *c = config_new(MBEDTLS_SSL_IS_CLIENT, err, errlen);
    if (!c) return NULL;
    if (crt_pem && key_pem && load_own(c, crt_pem, key_pem, err, errlen)) { edge_tls_config_free(c); return NULL; }
    if (ca_pem) {
        int rc = mbedtls_x509_crt_parse(&c->ca, (const unsigned char *)ca_pem, strlen(ca_pem) + 1);
        if (rc) { set_err(err, errlen, "failed to parse CA certificate", rc); edge_tls_config_free(c); return NULL; }
        c->has_ca = 1;
        mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
        mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    } else {
        mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    return c;
}

void edge_tls_config_free(edge_tls_config *c) {
    if (!c) return;
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->own_chain);
    mbedtls_pk_free(&c->own_key);
    mbedtls_x509_crt_free(&c->ca);
    free(c);
}

typedef struct {
    unsigned char *data;
    size_t start, len, cap;
} buffer;

static void buf_append(buffer *b, const unsigned char *p, size_t n) {
    if (b->start > 0 && b->start + b->len + n > b->cap) {
        memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
    }
    if (b->start + b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->start + b->len + n) cap *= 2;
        b->data = realloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->start + b->len, p, n);
    b->len += n;
}

static void buf_consume(buffer *b, size_t n) {
    if (n >= b->len) {
        /* Drained: an idle connection keeps no buffer (thousands of kept-alive
         * connections would otherwise hold 32 KiB each). */
        free(b->data);
        b->data = NULL;
        b->start = 0;
        b->len = 0;
        b->cap = 0;
        return;
    }
    b->start += n;
    b->len -= n;
}

struct edge_tls {
    mbedtls_ssl_context ssl;
    buffer in, out;
    edge_tls_config *config;
};

static int bio_send(void *ctx, const unsigned char *p, size_t n) {
    edge_tls *t = ctx;
    buf_append(&t->out, p, n);
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *p, size_t n) {
    edge_tls *t = ctx;
    if (t->in.len == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    size_t k = n < t->in.len ? n : t->in.len;
    memcpy(p, t->in.data + t->in.start, k);
    buf_consume(&t->in, k);
    return (int)k;
}

edge_tls *edge_tls_new(edge_tls_config *c, char *err, size_t errlen) {
    edge_tls *t = calloc(1, sizeof *t);
    t->config = c;
    mbedtls_ssl_init(&t->ssl);
    int rc = mbedtls_ssl_setup(&t->ssl, &c->conf);
    if (!rc && c->endpoint == MBEDTLS_SSL_IS_CLIENT) rc = edge_ssl_no_hostname_check(&t->ssl);
    if (rc) { set_err(err, errlen, "failed to start TLS session", rc); edge_tls_free(t); return NULL; }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    return t;
}

void edge_tls_free(edge_tls *t) {
    if (!t) return;
    mbedtls_ssl_free(&t->ssl);
    free(t->in.data);
    free(t->out.data);
    free(t);
}

int edge_tls_feed(edge_tls *t, const unsigned char *data, size_t len) {
    buf_append(&t->in, data, len);
    return 0;
}

int edge_tls_handshake(edge_tls *t, char *err, size_t errlen) {
    int rc = mbedtls_ssl_handshake(&t->ssl);
    if (rc == 0) return EDGE_TLS_DONE;
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return EDGE_TLS_WANT;
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        char info[512];
        mbedtls_x509_crt_verify_info(info, sizeof info, "", mbedtls_ssl_get_verify_result(&t->ssl));
        size_t n = strlen(info);
        while (n && (info[n - 1] == '\n' || info[n - 1] == ' ')) info[--n] = 0;
        snprintf(err, errlen, "TLS handshake failed: the server certificate is not trusted: %s", info);
        return EDGE_TLS_ERROR;
    }
    set_err(err, errlen, "TLS handshake failed", rc);
    return EDGE_TLS_ERROR;
}

int edge_tls_read(edge_tls *t, unsigned char *buf, size_t len, char *err, size_t errlen) {
    int rc = mbedtls_ssl_read(&t->ssl, buf, len);
    if (rc > 0) return rc;
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) return 0;
    if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return EDGE_TLS_CLOSED;
    set_err(err, errlen, "TLS read failed", rc);
    return EDGE_TLS_ERROR;
}

int edge_tls_write(edge_tls *t, const unsigned char *buf, size_t len, char *err, size_t errlen) {
    int rc = mbedtls_ssl_write(&t->ssl, buf, len);
    if (rc > 0) return rc;
    set_err(err, errlen, "TLS write failed", rc);
    return EDGE_TLS_ERROR;
}

int edge_tls_close_notify(edge_tls *t) { return mbedtls_ssl_close_notify(&t->ssl); }

size_t edge_tls_out_len(edge_tls *t) { return t->out.len; }
const unsigned char *edge_tls_out_data(edge_tls *t) { return t->out.data + t->out.start; }
void edge_tls_out_consume(edge_tls *t, size_t n) { buf_consume(&t->out, n); }

int edge_tls_verified_peer(edge_tls *t, char **subject_lines) {
    const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&t->ssl);
    if (!peer || !t->config->has_ca || mbedtls_ssl_get_verify_result(&t->ssl) != 0) return 0;
    *subject_lines = edge_name_lines(&peer->subject);
    return 1;
}

int edge_tls_peer_chain(edge_tls *t, char **chain_pem) {
    const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&t->ssl);
    if (!peer) return -1;
    size_t cap = 8192, len = 0;
    char *out = calloc(1, cap);
    for (const mbedtls_x509_crt *c = peer; c && c->raw.p; c = c->next) {
        unsigned char pem[8192];
        size_t olen = 0;
        if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                     c->raw.p, c->raw.len, pem, sizeof pem, &olen) != 0) continue;
        size_t n = strlen((char *)pem);
        if (len + n + 1 > cap) { cap = (len + n) * 2; out = realloc(out, cap); }
        memcpy(out + len, pem, n + 1);
        len += n;
    }
    *chain_pem = out;
    return 0;
}
