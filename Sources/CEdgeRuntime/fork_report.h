#ifndef EDGE_FORK_REPORT_H
#define EDGE_FORK_REPORT_H
/* A fork whose child can tell the parent one small fact before it execs or exits
 * (an errno, a grandchild's pid): the child writes to p[1], the parent reads p[0].
 * Both ends are close-on-exec, so a successful execve closes the child's end and
 * the parent's read returns 0. */
#include <stddef.h>
#include <sys/types.h>

/* Returns the child's pid in the parent and 0 in the child; -1 with `err`
 * filled and no descriptor left open when the pipe or the fork failed. */
pid_t edge_fork_with_report(int p[2], char *err, size_t errlen);
#endif
