#ifndef EDGE_PROCESS_SETUP_H
#define EDGE_PROCESS_SETUP_H
/* The last steps every container process takes before execve, shared by a
 * container's init (container.c) and processes exec'd into it (exec.c). Each
 * runs in a child that may only use syscalls and stack buffers; on failure it
 * returns -1 with errno set and what failed in `what`, for the caller's own
 * error channel. */
#include <stddef.h>
#include <stdint.h>

/* Bounding set, then groups, gid and uid keeping capabilities, then the
 * effective/permitted/inheritable sets: bit n = capability n. */
int edge_set_identity(uint32_t uid, uint32_t gid, const uint32_t *groups, int ngroups, uint64_t capabilities,
                      char *what, size_t len);

/* Every signal unblocked and at its default disposition: the caller may be a
 * thread of a runtime that blocks or ignores signals (Dispatch, NIO's SIGPIPE). */
int edge_reset_signals(char *what, size_t len);

/* execve of argv[0], searched in the PATH of envp (the container's, not the
 * caller's) when it has no slash. Returns only on failure. */
int edge_exec_in_path(const char *const *argv, const char *const *envp, char *what, size_t len);
#endif
