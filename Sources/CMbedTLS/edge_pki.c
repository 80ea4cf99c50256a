/* Key, certificate and CSR handling for the cluster PKI, on mbedtls 2.28 or 3.6 (edge_compat.h). */
#include "edge_mbedtls.h"
#include "edge_internal.h"
#include "edge_compat.h"

#include <mbedtls/asn1write.h>
#include <mbedtls/error.h>
#include <mbedtls/platform.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEM_MAX 16384

void edge_free(void *p) { free(p); }

static int fail(char *err, size_t errlen, const char *what, int rc) {
    char buf[160];
    mbedtls_strerror(rc, buf, sizeof buf);
    snprintf(err, errlen, "%s: %s (-0x%04x)", what, buf, (unsigned)-rc);
    return rc ? rc : -1;
}

static int parse_key(mbedtls_pk_context *pk, const char *pem, char *err, size_t errlen) {
    mbedtls_pk_init(pk);
    int rc = edge_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1);
    if (rc != 0) {
        /* Maybe a public key (from a CSR). */
        rc = mbedtls_pk_parse_public_key(pk, (const unsigned char *)pem, strlen(pem) + 1);
        if (rc != 0) return fail(err, errlen, "failed to parse key", rc);
    }
    return 0;
}

int edge_gen_ec_key(char **key_pem, char *err, size_t errlen) {
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int rc = mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0) rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random, edge_drbg());
    if (rc != 0) { mbedtls_pk_free(&pk); return fail(err, errlen, "failed to generate an ECDSA P-256 key", rc); }
    unsigned char *buf = calloc(1, PEM_MAX);
    rc = mbedtls_pk_write_key_pem(&pk, buf, PEM_MAX);
    mbedtls_pk_free(&pk);
    if (rc != 0) { free(buf); return fail(err, errlen, "failed to encode key", rc); }
    *key_pem = (char *)buf;
    return 0;
}

/* notBefore and notAfter as offsets in seconds from now (negative: in the past). */
static void validity(char *from, char *to, int64_t not_before_offset, int64_t not_after_offset) {
    time_t now = time(NULL);
    time_t start = now + (time_t)not_before_offset;
    time_t end = now + (time_t)not_after_offset;
    struct tm a, b;
    gmtime_r(&start, &a);
    gmtime_r(&end, &b);
    strftime(from, 16, "%Y%m%d%H%M%S", &a);
    strftime(to, 16, "%Y%m%d%H%M%S", &b);
}

/* A random positive 128-bit serial number. */
static int set_random_serial(mbedtls_x509write_cert *crt) {
    unsigned char raw[16];
    int rc = mbedtls_ctr_drbg_random(edge_drbg(), raw, sizeof raw);
    if (rc) return rc;
    raw[0] &= 0x7f; /* positive */
#if EDGE_MBEDTLS_3
    return mbedtls_x509write_crt_set_serial_raw(crt, raw, sizeof raw);
#else
    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    rc = mbedtls_mpi_read_binary(&serial, raw, sizeof raw);
    if (!rc) rc = mbedtls_x509write_crt_set_serial(crt, &serial); /* copies it */
    mbedtls_mpi_free(&serial);
    return rc;
#endif
}

/* subjectAltName: SEQUENCE OF GeneralName, dNSName [2] and iPAddress [7]. */
static int write_san(mbedtls_x509write_cert *crt, const char *const *dns, int ndns, const char *const *ips, int nips,
                     char *err, size_t errlen) {
    unsigned char buf[4096];
    unsigned char *p = buf + sizeof buf;
    size_t len = 0;
    int rc;
    for (int i = nips - 1; i >= 0; i--) {
        unsigned char addr[16];
        size_t alen;
        if (inet_pton(AF_INET, ips[i], addr) == 1) alen = 4;
        else if (inet_pton(AF_INET6, ips[i], addr) == 1) alen = 16;
        else { snprintf(err, errlen, "invalid IP address for certificate: %s", ips[i]); return -1; }
        if ((rc = mbedtls_asn1_write_raw_buffer(&p, buf, addr, alen)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
        if ((rc = mbedtls_asn1_write_len(&p, buf, alen)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
        if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
    }
    for (int i = ndns - 1; i >= 0; i--) {
        size_t n = strlen(dns[i]);
        if ((rc = mbedtls_asn1_write_raw_buffer(&p, buf, (const unsigned char *)dns[i], n)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
        if ((rc = mbedtls_asn1_write_len(&p, buf, n)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
        if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) < 0) return fail(err, errlen, "SAN too large", rc);
        len += rc;
    }
    if ((rc = mbedtls_asn1_write_len(&p, buf, len)) < 0) return fail(err, errlen, "SAN too large", rc);
    len += rc;
    if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0) return fail(err, errlen, "SAN too large", rc);
    len += rc;
    rc = mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME, MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p, len);
    return rc ? fail(err, errlen, "failed to add subjectAltName", rc) : 0;
}

/* extendedKeyUsage: SEQUENCE OF OID. */
static int write_eku(mbedtls_x509write_cert *crt, int usage, char *err, size_t errlen) {
    unsigned char buf[64];
    unsigned char *p = buf + sizeof buf;
    size_t len = 0;
    int rc;
    if (usage & 2) {
        if ((rc = mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH))) < 0) return fail(err, errlen, "EKU", rc);
        len += rc;
    }
    if (usage & 1) {
        if ((rc = mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH))) < 0) return fail(err, errlen, "EKU", rc);
        len += rc;
    }
    if ((rc = mbedtls_asn1_write_len(&p, buf, len)) < 0) return fail(err, errlen, "EKU", rc);
    len += rc;
    if ((rc = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0) return fail(err, errlen, "EKU", rc);
    len += rc;
    rc = mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE, MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, p, len);
    return rc ? fail(err, errlen, "failed to add extendedKeyUsage", rc) : 0;
}

/* mbedtls_x509_string_to_names keeps one value per attribute type, but a
 * Kubernetes identity has one O per group. Subjects arrive as "CN=a\nO=b\nO=c"
 * and are built as a list; mbedtls writes the list head last. */
static int set_names(mbedtls_asn1_named_data **head, const char *subject, char *err, size_t errlen) {
    mbedtls_asn1_free_named_data_list(head);
    char *copy = strdup(subject), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *oid;
        size_t oid_len;
        const char *val;
        if (strncmp(line, "CN=", 3) == 0) { oid = MBEDTLS_OID_AT_CN; oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN); val = line + 3; }
        else if (strncmp(line, "O=", 2) == 0) { oid = MBEDTLS_OID_AT_ORGANIZATION; oid_len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION); val = line + 2; }
        else { snprintf(err, errlen, "unsupported subject attribute: %s", line); free(copy); return -1; }
        mbedtls_asn1_named_data *n = mbedtls_calloc(1, sizeof *n);
        n->oid.tag = MBEDTLS_ASN1_OID;
        n->oid.len = oid_len;
        n->oid.p = mbedtls_calloc(1, oid_len);
        memcpy(n->oid.p, oid, oid_len);
        n->val.tag = MBEDTLS_ASN1_UTF8_STRING;
        n->val.len = strlen(val);
        n->val.p = mbedtls_calloc(1, n->val.len + 1);
        memcpy(n->val.p, val, n->val.len);
        n->next = *head;
        *head = n;
    }
    free(copy);
    return 0;
}

/* PEM of a Certificate or CertificationRequest mbedtls wrote as DER, signed by signer: with an
 * EC signer, first without the NULL parameter mbedtls 2.28 puts in ecdsa-with-SHA256's
 * AlgorithmIdentifiers (edge_ecdsa_der.c). RSA keeps its NULL, which RFC 4055 requires. */
static int signed_pem(int certificate, const unsigned char *der, size_t der_len, mbedtls_pk_context *signer, char **pem_out,
                      char *err, size_t errlen) {
    const char *what = certificate ? "failed to write certificate" : "failed to create CSR";
    unsigned char *fixed = NULL;
    if (mbedtls_pk_can_do(signer, MBEDTLS_PK_ECDSA)) {
        size_t fixed_len = 0;
        fixed = malloc(EDGE_DER_MAX);
        if (!fixed) return fail(err, errlen, what, MBEDTLS_ERR_ASN1_ALLOC_FAILED);
        int rc = edge_ecdsa_der_without_null(certificate, der, der_len, signer, fixed, EDGE_DER_MAX, &fixed_len);
        if (rc) { free(fixed); return fail(err, errlen, what, rc); }
        der = fixed;
        der_len = fixed_len;
    }
    unsigned char *pem = calloc(1, PEM_MAX);
    size_t pem_len = 0;
    int rc = pem ? 0 : MBEDTLS_ERR_ASN1_ALLOC_FAILED;
    if (!rc) rc = mbedtls_pem_write_buffer(certificate ? "-----BEGIN CERTIFICATE-----\n" : "-----BEGIN CERTIFICATE REQUEST-----\n",
                                           certificate ? "-----END CERTIFICATE-----\n" : "-----END CERTIFICATE REQUEST-----\n",
                                           der, der_len, pem, PEM_MAX, &pem_len);
    free(fixed);
    if (rc) { free(pem); return fail(err, errlen, what, rc); }
    *pem_out = (char *)pem;
    return 0;
}

/* mbedtls writes DER backwards from the end of the buffer and returns its length. */
static int write_crt(mbedtls_x509write_cert *crt, mbedtls_pk_context *issuer_key, char **crt_pem, char *err, size_t errlen) {
    unsigned char *buf = malloc(EDGE_DER_MAX);
    if (!buf) return fail(err, errlen, "failed to write certificate", MBEDTLS_ERR_ASN1_ALLOC_FAILED);
    int n = mbedtls_x509write_crt_der(crt, buf, EDGE_DER_MAX, mbedtls_ctr_drbg_random, edge_drbg());
    int rc = n < 0 ? fail(err, errlen, "failed to write certificate", n)
                   : signed_pem(1, buf + EDGE_DER_MAX - (size_t)n, (size_t)n, issuer_key, crt_pem, err, errlen);
    free(buf);
    return rc;
}

int edge_make_ca(const char *key_pem, const char *subject, int64_t not_before_offset, int64_t not_after_offset, char **crt_pem,
                 char *err, size_t errlen) {
    mbedtls_pk_context key;
    if (parse_key(&key, key_pem, err, errlen)) return -1;
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    char from[16], to[16];
    validity(from, to, not_before_offset, not_after_offset);
    int rc = set_random_serial(&crt);
    if (!rc) { mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3); mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256); }
    mbedtls_x509write_crt_set_subject_key(&crt, &key);
    mbedtls_x509write_crt_set_issuer_key(&crt, &key);
    if (!rc) rc = set_names(&crt.MBEDTLS_PRIVATE(subject), subject, err, errlen);
    if (!rc) rc = set_names(&crt.MBEDTLS_PRIVATE(issuer), subject, err, errlen);
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, from, to);
    if (!rc) rc = mbedtls_x509write_crt_set_basic_constraints(&crt, 1, -1);
    if (!rc) rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN | MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (rc) fail(err, errlen, "failed to build CA certificate", rc);
    else rc = write_crt(&crt, &key, crt_pem, err, errlen);
    mbedtls_x509write_crt_free(&crt);
    mbedtls_pk_free(&key);
    return rc;
}

int edge_check_ca(const char *crt_pem, const char *key_pem, char *err, size_t errlen) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)crt_pem, strlen(crt_pem) + 1);
    if (rc) { mbedtls_x509_crt_free(&crt); return fail(err, errlen, "failed to parse CA certificate", rc); }
    if (!crt.MBEDTLS_PRIVATE(ca_istrue)) {
        mbedtls_x509_crt_free(&crt);
        snprintf(err, errlen, "the certificate is not a CA (no basicConstraints cA)");
        return -1;
    }
    /* Only a private key: parse_key would also take a public one, which cannot sign. */
    mbedtls_pk_context key;
    mbedtls_pk_init(&key);
    rc = edge_pk_parse_key(&key, (const unsigned char *)key_pem, strlen(key_pem) + 1);
    if (rc) fail(err, errlen, "failed to parse CA private key", rc);
    else if ((rc = edge_pk_check_pair(&crt.pk, &key))) fail(err, errlen, "the CA key does not match the CA certificate", rc);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
    return rc;
}

int edge_sign_cert(const char *ca_crt_pem, const char *ca_key_pem, const char *subject_key_pem, const char *subject,
                   const char *const *dns, int ndns, const char *const *ips, int nips, int usage,
                   int64_t not_before_offset, int64_t not_after_offset, char **crt_pem, char *err, size_t errlen) {
    mbedtls_x509_crt ca;
    mbedtls_x509_crt_init(&ca);
    int rc = mbedtls_x509_crt_parse(&ca, (const unsigned char *)ca_crt_pem, strlen(ca_crt_pem) + 1);
    if (rc) { mbedtls_x509_crt_free(&ca); return fail(err, errlen, "failed to parse CA certificate", rc); }
    mbedtls_pk_context ca_key, key;
    if (parse_key(&ca_key, ca_key_pem, err, errlen)) { mbedtls_x509_crt_free(&ca); return -1; }
    if (parse_key(&key, subject_key_pem, err, errlen)) { mbedtls_pk_free(&ca_key); mbedtls_x509_crt_free(&ca); return -1; }
    mbedtls_x509write_cert crt;
    mbedtls_x509write_crt_init(&crt);
    char from[16], to[16];
    validity(from, to, not_before_offset, not_after_offset);
    rc = set_random_serial(&crt);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, &key);
    mbedtls_x509write_crt_set_issuer_key(&crt, &ca_key);
    if (rc) { fail(err, errlen, "failed to make a serial number", rc); goto out; }
    if ((rc = set_names(&crt.MBEDTLS_PRIVATE(subject), subject, err, errlen))) goto out;
    {
        char *lines = edge_name_lines(&ca.subject);
        rc = set_names(&crt.MBEDTLS_PRIVATE(issuer), lines, err, errlen);
        free(lines);
        if (rc) goto out;
    }
    if (!rc) rc = mbedtls_x509write_crt_set_validity(&crt, from, to);
    if (!rc) rc = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1);
    if (!rc) rc = mbedtls_x509write_crt_set_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_ENCIPHERMENT);
    if (!rc) rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (!rc) rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
    if (rc) { fail(err, errlen, "failed to build certificate", rc); goto out; }
    if ((ndns > 0 || nips > 0) && (rc = write_san(&crt, dns, ndns, ips, nips, err, errlen))) goto out;
    if (usage && (rc = write_eku(&crt, usage, err, errlen))) goto out;
    rc = write_crt(&crt, &ca_key, crt_pem, err, errlen);
out:
    mbedtls_x509write_crt_free(&crt);
    mbedtls_pk_free(&key);
    mbedtls_pk_free(&ca_key);
    mbedtls_x509_crt_free(&ca);
    return rc;
}

int edge_make_csr(const char *key_pem, const char *subject, char **csr_pem, char *err, size_t errlen) {
    mbedtls_pk_context key;
    if (parse_key(&key, key_pem, err, errlen)) return -1;
    mbedtls_x509write_csr csr;
    mbedtls_x509write_csr_init(&csr);
    mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&csr, &key);
    int rc = set_names(&csr.MBEDTLS_PRIVATE(subject), subject, err, errlen);
    if (rc) { mbedtls_x509write_csr_free(&csr); mbedtls_pk_free(&key); return rc; }
    unsigned char *buf = malloc(EDGE_DER_MAX);
    int n = buf ? mbedtls_x509write_csr_der(&csr, buf, EDGE_DER_MAX, mbedtls_ctr_drbg_random, edge_drbg()) : MBEDTLS_ERR_ASN1_ALLOC_FAILED;
    rc = n < 0 ? fail(err, errlen, "failed to create CSR", n)
               : signed_pem(0, buf + EDGE_DER_MAX - (size_t)n, (size_t)n, &key, csr_pem, err, errlen);
    free(buf);
    mbedtls_x509write_csr_free(&csr);
    mbedtls_pk_free(&key);
    return rc;
}

/* Subject as "CN=x\nO=y\n" lines: values may contain commas, so no DN string parsing. */
char *edge_name_lines(const mbedtls_x509_name *n) {
    size_t cap = 1024, len = 0;
    char *out = calloc(1, cap);
    for (; n; n = n->next) {
        const char *short_name = NULL;
        if (mbedtls_oid_get_attr_short_name(&n->oid, &short_name) != 0) continue;
        size_t need = strlen(short_name) + n->val.len + 3;
        if (len + need >= cap) { cap = (len + need) * 2; out = realloc(out, cap); }
        len += (size_t)snprintf(out + len, cap - len, "%s=", short_name);
        memcpy(out + len, n->val.p, n->val.len);
        len += n->val.len;
        out[len++] = '\n';
        out[len] = 0;
    }
    return out;
}

int edge_csr_info(const char *csr_pem, char **subject_lines, char **pubkey_pem, char *err, size_t errlen) {
    mbedtls_x509_csr csr;
    mbedtls_x509_csr_init(&csr);
    int rc = mbedtls_x509_csr_parse(&csr, (const unsigned char *)csr_pem, strlen(csr_pem) + 1);
    if (rc) { mbedtls_x509_csr_free(&csr); return fail(err, errlen, "failed to parse CSR", rc); }
    unsigned char *buf = calloc(1, PEM_MAX);
    rc = mbedtls_pk_write_pubkey_pem(&csr.pk, buf, PEM_MAX);
    if (rc) { free(buf); mbedtls_x509_csr_free(&csr); return fail(err, errlen, "failed to encode CSR public key", rc); }
    *pubkey_pem = (char *)buf;
    *subject_lines = edge_name_lines(&csr.subject);
    mbedtls_x509_csr_free(&csr);
    return 0;
}

static int64_t unix_seconds(const mbedtls_x509_time *x) {
    struct tm t = {0};
    t.tm_year = x->year - 1900; t.tm_mon = x->mon - 1; t.tm_mday = x->day;
    t.tm_hour = x->hour; t.tm_min = x->min; t.tm_sec = x->sec;
    return (int64_t)timegm(&t);
}

int edge_cert_info(const char *crt_pem, char **subject_lines, int64_t *not_before, int64_t *not_after, char **san_lines,
                   char *err, size_t errlen) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)crt_pem, strlen(crt_pem) + 1);
    if (rc) { mbedtls_x509_crt_free(&crt); return fail(err, errlen, "failed to parse certificate", rc); }
    *subject_lines = edge_name_lines(&crt.subject);
    *not_before = unix_seconds(&crt.valid_from);
    *not_after = unix_seconds(&crt.valid_to);
    size_t cap = 1024, len = 0;
    char *sans = calloc(1, cap);
    for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s && s->buf.p; s = s->next) {
        char item[300];
        int tag = s->buf.tag & 0x1f;
        if (tag == 2) snprintf(item, sizeof item, "DNS:%.*s\n", (int)s->buf.len, s->buf.p);
        else if (tag == 7 && (s->buf.len == 4 || s->buf.len == 16)) {
            char ip[64];
            inet_ntop(s->buf.len == 4 ? AF_INET : AF_INET6, s->buf.p, ip, sizeof ip);
            snprintf(item, sizeof item, "IP:%s\n", ip);
        } else continue;
        size_t n = strlen(item);
        if (len + n + 1 >= cap) { cap = (len + n) * 2; sans = realloc(sans, cap); }
        memcpy(sans + len, item, n + 1);
        len += n;
    }
    *san_lines = sans;
    mbedtls_x509_crt_free(&crt);
    return 0;
}

int edge_spki_sha256(const char *crt_pem, unsigned char out[32], char *err, size_t errlen) {
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)crt_pem, strlen(crt_pem) + 1);
    if (rc) { mbedtls_x509_crt_free(&crt); return fail(err, errlen, "failed to parse certificate", rc); }
    /* The DER SubjectPublicKeyInfo is re-encoded from the parsed key (identical for a valid cert). */
    unsigned char buf[1024];
    int n = mbedtls_pk_write_pubkey_der(&crt.pk, buf, sizeof buf);
    mbedtls_x509_crt_free(&crt);
    if (n < 0) return fail(err, errlen, "failed to encode public key", n);
    edge_sha256_digest(buf + sizeof buf - n, (size_t)n, out);
    return 0;
}

/* ES256 as JWS uses it: SHA-256, then ECDSA P-256 with the signature as the
 * fixed-width concatenation r||s (not DER). */
/* Parses an EC key (private or public PEM) and hashes data: the common start of signing and verifying. */
static int es256_prepare(mbedtls_pk_context *pk, const char *key_pem, const unsigned char *data, size_t len,
                         unsigned char hash[32], char *err, size_t errlen) {
    int rc = parse_key(pk, key_pem, err, errlen);
    if (rc) return rc;
    if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY)) { mbedtls_pk_free(pk); snprintf(err, errlen, "not an EC key"); return -1; }
    edge_sha256_digest(data, len, hash);
    return 0;
}

int edge_es256_sign(const char *key_pem, const unsigned char *data, size_t len, unsigned char sig[64], char *err, size_t errlen) {
    mbedtls_pk_context pk;
    unsigned char hash[32];
    int rc = es256_prepare(&pk, key_pem, data, len, hash, err, errlen);
    if (rc) return rc;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    rc = mbedtls_ecdsa_sign_det_ext(&ec->MBEDTLS_PRIVATE(grp), &r, &s, &ec->MBEDTLS_PRIVATE(d), hash, sizeof hash, MBEDTLS_MD_SHA256, mbedtls_ctr_drbg_random, edge_drbg());
    if (rc == 0) rc = mbedtls_mpi_write_binary(&r, sig, 32);
    if (rc == 0) rc = mbedtls_mpi_write_binary(&s, sig + 32, 32);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_pk_free(&pk);
    return rc ? fail(err, errlen, "failed to sign", rc) : 0;
}

int edge_es256_verify(const char *key_pem, const unsigned char *data, size_t len, const unsigned char sig[64]) {
    char err[64];
    mbedtls_pk_context pk;
    unsigned char hash[32];
    if (es256_prepare(&pk, key_pem, data, len, hash, err, sizeof err)) return -1;
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(pk);
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_mpi_read_binary(&r, sig, 32);
    if (rc == 0) rc = mbedtls_mpi_read_binary(&s, sig + 32, 32);
    if (rc == 0) rc = mbedtls_ecdsa_verify(&ec->MBEDTLS_PRIVATE(grp), hash, sizeof hash, &ec->MBEDTLS_PRIVATE(Q), &r, &s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_pk_free(&pk);
    return rc ? -1 : 0;
}
