#ifndef EDGE_INTERNAL_H
#define EDGE_INTERNAL_H
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509.h>
/* One process-wide DRBG, seeded once; mbedtls is built with THREADING_C so
 * concurrent use from several event-loop threads is safe. */
mbedtls_ctr_drbg_context *edge_drbg(void);
char *edge_name_lines(const mbedtls_x509_name *n);
#endif
