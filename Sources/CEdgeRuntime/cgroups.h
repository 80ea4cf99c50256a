#ifndef EDGE_CGROUPS_H
#define EDGE_CGROUPS_H
#include <sys/types.h>
struct edge_cgroup_limits;
/* Creates the cgroup (v1 or v2 as mounted), sets the limits, moves pid in. */
int edge_cgroup_apply(const char *cgroup, const struct edge_cgroup_limits *limits, pid_t pid, char *err, size_t errlen);
#endif
