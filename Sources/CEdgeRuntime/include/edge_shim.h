#ifndef EDGE_SHIM_H
#define EDGE_SHIM_H

#include <stddef.h>
#include <sys/types.h>

/* The per-container supervisor ("shim") and pod sandbox helpers. A shim is a
 * process of its own, detached from the agent (new session, reparented to
 * init), so containers outlive an agent that stops or crashes. */

/* Starts exe with argv detached from the caller: double fork, setsid, stdio on
 * /dev/null, report_fd as fd 3, every other descriptor closed. The shim's pid
 * (now a child of init) is returned in *pid. */
int edge_spawn_detached(const char *exe, const char *const *argv, int report_fd, pid_t *pid, char *err, size_t errlen);

/* The shim's loop: copies the container's stdout and stderr pipes into a
 * CRI-format log file (RFC3339Nano time, stream, P/F tag, text), waits for the
 * container, then writes exit_path atomically as JSON: exitCode, signal,
 * finishedAt, oomKilled. Returns when all that is done. */
int edge_shim_supervise(pid_t pid, int out_fd, int err_fd, const char *log_path, const char *exit_path, const char *cgroup);

/* A new network namespace with loopback up, kept alive by a bind mount at path
 * (a regular file that is created). */
int edge_netns_create(const char *path, char *err, size_t errlen);
/* 1 when path is a live namespace (nsfs), as after an agent restart. */
int edge_netns_exists(const char *path);
/* Unmounts and removes a namespace made by edge_netns_create. */
int edge_netns_remove(const char *path);
/* A socket (socket(2) arguments) that lives in the namespace open at netns_fd;
 * the calling thread's own namespace is left untouched. -1 on failure. */
int edge_netns_socket(int netns_fd, int domain, int type);

/* Start time of a process in clock ticks since boot (field 22 of
 * /proc/PID/stat): with the pid it identifies a process across pid reuse. 0 if gone. */
unsigned long long edge_process_start_ticks(pid_t pid);
/* 1 while pid is the process that started at start_ticks (any process when 0) and has not exited (a zombie has). */
int edge_process_alive(pid_t pid, unsigned long long start_ticks);

#endif
