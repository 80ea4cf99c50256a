#ifndef EDGE_SECCOMP_PROFILE_H
#define EDGE_SECCOMP_PROFILE_H
#include <linux/filter.h>
#include <stddef.h>

/* The default profile as a BPF program (filter malloc'd; free it after start). */
int edge_seccomp_default_program(struct sock_fprog *out, char *err, size_t errlen);
#endif
