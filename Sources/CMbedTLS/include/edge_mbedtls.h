#ifndef EDGE_MBEDTLS_H
#define EDGE_MBEDTLS_H
#endif
