/* Which libseccomp and C library edgectl carries (edgectl version prints them). */
#include "edge_runtime.h"

#include <gnu/libc-version.h>
#include <seccomp.h>
#include <stdio.h>

void edge_seccomp_version(char *out, size_t outlen) {
    const struct scmp_version *v = seccomp_version();
    snprintf(out, outlen, "%u.%u.%u", v->major, v->minor, v->micro);
}

const char *edge_glibc_version(void) {
    return gnu_get_libc_version();
}
