/* The signature AlgorithmIdentifier of what edgectl signs with an EC key: ecdsa-with-SHA256
 * with its parameters absent, as RFC 5758 section 3.2 requires. mbedtls 2.28 writes a NULL
 * after the OID (in a certificate's TBSCertificate.signature and Certificate.signatureAlgorithm,
 * and in a CSR's signatureAlgorithm), which Python's cryptography deprecates. The DER mbedtls
 * wrote is taken apart here and put together again without the NULL; a TBSCertificate that
 * changed is signed again with the issuer's key. The input is mbedtls' own output, but every
 * length is still checked against the bytes that hold it: nothing is read or written outside
 * the buffers given. */
#include "edge_internal.h"
#include "edge_compat.h"

#include <mbedtls/asn1.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SEQUENCE { OID 1.2.840.10045.4.3.2 }: ecdsa-with-SHA256, no parameters. */
static const unsigned char ECDSA_SHA256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
/* The same with the NULL parameter mbedtls 2.28 adds. */
static const unsigned char ECDSA_SHA256_NULL[] = {0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};

#define TAG_SEQUENCE 0x30
#define TAG_INTEGER 0x02
#define TAG_BIT_STRING 0x03
#define TAG_VERSION 0xa0 /* [0] EXPLICIT, constructed */
#define BAD_DER MBEDTLS_ERR_ASN1_INVALID_DATA

/* A run of bytes inside the input. */
typedef struct {
    const unsigned char *p;
    size_t len;
} span;

/* The element at the start of `in`: its tag, the whole element and its content. Single-byte
 * tags and definite lengths of at most 4 bytes (certificates are far below 4 GB); fails if
 * the element runs past the end of `in`. */
static int read_element(span in, unsigned char *tag, span *whole, span *content) {
    if (in.len < 2 || (in.p[0] & 0x1f) == 0x1f) return BAD_DER;
    size_t header = 2, len = in.p[1];
    if (len & 0x80) {
        size_t count = len & 0x7f;
        if (count == 0 || count > 4 || count > sizeof(size_t) || in.len - 2 < count) return BAD_DER;
        len = 0;
        for (size_t i = 0; i < count; i++) len = (len << 8) | in.p[2 + i];
        header += count;
    }
    if (len > in.len - header) return BAD_DER;
    *tag = in.p[0];
    whole->p = in.p;
    whole->len = header + len;
    content->p = in.p + header;
    content->len = len;
    return 0;
}

/* What follows `first` in `in`, when `first` is the element `in` starts with. */
static span rest_after(span in, span first) {
    span rest = {in.p + first.len, in.len - first.len};
    return rest;
}

/* Bytes of a DER header (tag and length) for `len` content bytes: the short form under 128,
 * else 0x80|n and the n bytes of the length, the fewest that hold it. */
static size_t header_size(size_t len) {
    size_t n = 2;
    if (len >= 0x80)
        for (size_t v = len; v; v >>= 8) n++;
    return n;
}

/* Appends to a buffer of fixed capacity; a write that does not fit marks it overflowed. */
typedef struct {
    unsigned char *p;
    size_t cap, len;
    int overflow;
} writer;

static void put(writer *w, const unsigned char *data, size_t n) {
    if (w->overflow || n > w->cap - w->len) { w->overflow = 1; return; }
    if (n) memcpy(w->p + w->len, data, n);
    w->len += n;
}

static void put_header(writer *w, unsigned char tag, size_t len) {
    unsigned char h[2 + sizeof(size_t)];
    size_t n = 0;
    h[n++] = tag;
    if (len < 0x80) {
        h[n++] = (unsigned char)len;
    } else {
        size_t bytes = header_size(len) - 2;
        h[n++] = (unsigned char)(0x80 | bytes);
        for (size_t i = bytes; i > 0; i--) h[n++] = (unsigned char)(len >> (8 * (i - 1)));
    }
    put(w, h, n);
}

/* 1 for ecdsa-with-SHA256 with its NULL, 0 without, -1 for anything else. */
static int ecdsa_sha256_null(span alg) {
    if (alg.len == sizeof ECDSA_SHA256 && memcmp(alg.p, ECDSA_SHA256, sizeof ECDSA_SHA256) == 0) return 0;
    if (alg.len == sizeof ECDSA_SHA256_NULL && memcmp(alg.p, ECDSA_SHA256_NULL, sizeof ECDSA_SHA256_NULL) == 0) return 1;
    return -1;
}

int edge_ecdsa_der_without_null(int certificate, const unsigned char *der, size_t der_len, mbedtls_pk_context *signer,
                                unsigned char *out, size_t out_cap, size_t *out_len) {
    if (der_len > EDGE_DER_MAX || !out || !out_len) return BAD_DER;
    /* Certificate and CertificationRequest alike: SEQUENCE { body, AlgorithmIdentifier, BIT STRING }. */
    span in = {der, der_len}, top, top_content, body, body_content, alg, alg_content, bits, bits_content, rest;
    unsigned char tag;
    if (read_element(in, &tag, &top, &top_content) || tag != TAG_SEQUENCE || top.len != der_len) return BAD_DER;
    if (read_element(top_content, &tag, &body, &body_content) || tag != TAG_SEQUENCE) return BAD_DER;
    rest = rest_after(top_content, body);
    if (read_element(rest, &tag, &alg, &alg_content) || tag != TAG_SEQUENCE) return BAD_DER;
    int outer_null = ecdsa_sha256_null(alg);
    if (outer_null < 0) return BAD_DER;
    rest = rest_after(rest, alg);
    if (read_element(rest, &tag, &bits, &bits_content) || tag != TAG_BIT_STRING || bits.len != rest.len) return BAD_DER;
    if (bits_content.len < 1 || bits_content.p[0] != 0) return BAD_DER;

    /* A TBSCertificate repeats the AlgorithmIdentifier after [0] version and serialNumber:
     * the body is `before`, that element, `after`. A CSR's CertificationRequestInfo has none. */
    int inner_null = 0;
    span before = {body_content.p, 0}, after = {NULL, 0};
    if (certificate) {
        span field = body_content, whole, content;
        if (read_element(field, &tag, &whole, &content)) return BAD_DER;
        if (tag == TAG_VERSION) {
            field = rest_after(field, whole);
            if (read_element(field, &tag, &whole, &content)) return BAD_DER;
        }
        if (tag != TAG_INTEGER) return BAD_DER;
        field = rest_after(field, whole);
        if (read_element(field, &tag, &whole, &content) || tag != TAG_SEQUENCE) return BAD_DER;
        inner_null = ecdsa_sha256_null(whole);
        if (inner_null < 0 || (inner_null && !signer)) return BAD_DER;
        before.len = (size_t)(whole.p - body_content.p);
        after = rest_after(field, whole);
    }

    if (!outer_null && !inner_null) {
        /* Right as written (mbedtls 3.x): unchanged. */
        if (der_len > out_cap) return MBEDTLS_ERR_ASN1_BUF_TOO_SMALL;
        memcpy(out, der, der_len);
        *out_len = der_len;
        return 0;
    }

    /* The signed body: as written, or a TBSCertificate rebuilt without the NULL and signed again. */
    const unsigned char *signed_body = body.p;
    size_t signed_len = body.len;
    unsigned char *rebuilt = NULL;
    unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len = 0;
    int rc = 0;
    if (inner_null) {
        /* before, after and the 12-byte AlgorithmIdentifier lie inside der_len <= EDGE_DER_MAX: no overflow. */
        size_t content = before.len + sizeof ECDSA_SHA256 + after.len;
        signed_len = header_size(content) + content;
        rebuilt = malloc(signed_len);
        if (!rebuilt) return MBEDTLS_ERR_ASN1_ALLOC_FAILED;
        writer w = {rebuilt, signed_len, 0, 0};
        put_header(&w, TAG_SEQUENCE, content);
        put(&w, before.p, before.len);
        put(&w, ECDSA_SHA256, sizeof ECDSA_SHA256);
        put(&w, after.p, after.len);
        if (w.overflow || w.len != signed_len) { free(rebuilt); return BAD_DER; }
        signed_body = rebuilt;
        unsigned char hash[32];
        rc = edge_sha256_digest(rebuilt, signed_len, hash);
        if (!rc) rc = edge_pk_sign_sha256(signer, hash, sig, sizeof sig, &sig_len);
        if (!rc && (sig_len == 0 || sig_len > sizeof sig)) rc = BAD_DER;
        if (rc) { free(rebuilt); return rc; }
    }

    /* BIT STRING content: the unused-bits byte (0) and the ECDSA-Sig-Value. */
    size_t bits_len = inner_null ? 1 + sig_len : bits_content.len;
    size_t top_len = signed_len + sizeof ECDSA_SHA256 + header_size(bits_len) + bits_len;
    writer w = {out, out_cap, 0, 0};
    put_header(&w, TAG_SEQUENCE, top_len);
    put(&w, signed_body, signed_len);
    put(&w, ECDSA_SHA256, sizeof ECDSA_SHA256);
    put_header(&w, TAG_BIT_STRING, bits_len);
    if (inner_null) {
        const unsigned char no_unused_bits = 0;
        put(&w, &no_unused_bits, 1);
        put(&w, sig, sig_len);
    } else {
        put(&w, bits_content.p, bits_content.len);
    }
    free(rebuilt);
    if (w.overflow) return MBEDTLS_ERR_ASN1_BUF_TOO_SMALL;
    *out_len = w.len;
    return 0;
}

int edge_cert_has_ecdsa_null(const char *crt_pem, int *has_null, char *err, size_t errlen) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)crt_pem, strlen(crt_pem) + 1);
    if (rc) {
        mbedtls_x509_crt_free(&crt);
        snprintf(err, errlen, "failed to parse certificate (mbedtls -0x%04x)", (unsigned)-rc);
        return rc;
    }
    /* The 14 bytes are the whole AlgorithmIdentifier with its NULL; they appear in a certificate
     * an older build signed (twice) and nowhere in one signed since. */
    *has_null = 0;
    const unsigned char *p = crt.raw.p;
    for (size_t i = 0; crt.raw.len >= sizeof ECDSA_SHA256_NULL && i <= crt.raw.len - sizeof ECDSA_SHA256_NULL; i++) {
        if (memcmp(p + i, ECDSA_SHA256_NULL, sizeof ECDSA_SHA256_NULL) == 0) { *has_null = 1; break; }
    }
    mbedtls_x509_crt_free(&crt);
    return 0;
}
