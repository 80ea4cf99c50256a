#ifndef EDGE_CGROUPS_H
#define EDGE_CGROUPS_H
#include <stddef.h>
#include <sys/types.h>
struct edge_cgroup_limits;
struct bpf_insn;
/* Creates the cgroup (v1 or v2 as mounted), sets the limits, moves pid in. */
int edge_cgroup_apply(const char *cgroup, const struct edge_cgroup_limits *limits, pid_t pid, char *err, size_t errlen);
/* The v1 controllers a container is placed in, NULL-terminated. */
extern const char *const edge_v1_controllers[];

/* The standard device allow-list (device_cgroup.c): written to a v1 devices cgroup directory,
 * or attached to a v2 cgroup directory as a BPF_PROG_TYPE_CGROUP_DEVICE program. */
int edge_devices_v1_apply(const char *dir, char *err, size_t errlen);
int edge_devices_v2_attach(const char *dir, char *err, size_t errlen);
/* The program's instructions into out (up to max); returns how many it has. */
size_t edge_devices_program(struct bpf_insn *out, size_t max);
#endif
