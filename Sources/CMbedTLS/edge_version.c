/* Which mbedtls edgectl carries (edgectl version prints it). */
#include "edge_mbedtls.h"

#include <mbedtls/version.h>

const char *edge_mbedtls_version(void) {
    return MBEDTLS_VERSION_STRING;
}
