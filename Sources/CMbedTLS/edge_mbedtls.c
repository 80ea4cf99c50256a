#include "edge_mbedtls.h"
