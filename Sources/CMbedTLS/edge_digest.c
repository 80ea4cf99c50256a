/* Message digests the rest of edgectl needs outside TLS itself. */
#include "edge_mbedtls.h"

#include "edge_compat.h"

int edge_sha1(const unsigned char *data, size_t len, unsigned char out[20]) {
    return edge_sha1_digest(data, len, out);
}

int edge_sha256(const unsigned char *data, size_t len, unsigned char out[32]) {
    return edge_sha256_digest(data, len, out);
}
