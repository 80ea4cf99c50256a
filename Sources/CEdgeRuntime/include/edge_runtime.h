#ifndef EDGE_RUNTIME_H
#define EDGE_RUNTIME_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

/* Container start for edgectl's built-in runtime. Everything the child needs
 * is prepared by the parent before clone(): the child runs only async-signal-
 * safe code (no malloc), reports a failure as a message over a socketpair,
 * and execs with the socket closed (close-on-exec), which the parent reads as
 * success. Errors: return 0, or non-zero with a message in err. */

struct edge_mount {
    const char *source;      /* bind source or filesystem source */
    const char *subpath;     /* bind only, NULL for none: a path inside source that must not lead out of it (a volume's subPath) */
    const char *target;      /* path inside the container, resolved inside its root (symlinks and ".." cannot leave it) */
    const char *fstype;      /* NULL for a bind mount */
    unsigned long flags;     /* MS_* ; MS_RDONLY on a bind mount is applied by a remount */
    const char *data;
};

struct edge_cgroup_limits {
    int64_t memory_bytes;    /* 0: unlimited */
    int64_t cpu_quota_us;    /* 0: unlimited */
    int64_t cpu_period_us;   /* default 100000 */
    int64_t cpu_shares;      /* 0: default */
    int64_t pids;            /* 0: unlimited */
    int32_t all_devices;     /* 1: any device (privileged); 0: only the standard character devices (device cgroup) */
};

struct edge_container {
    const char *rootfs;                  /* prepared root directory */
    const char *const *argv;             /* NULL-terminated, argv[0] resolved against PATH in envp */
    const char *const *envp;             /* NULL-terminated */
    const char *cwd;                     /* default "/" */
    const char *hostname;
    uint32_t uid, gid;
    const uint32_t *groups; int ngroups;
    uint64_t capabilities;               /* bit n = capability n: bounding, effective, permitted, inheritable */
    int seccomp_default;                 /* 1: the RuntimeDefault profile */
    int readonly_rootfs;
    int netns_fd;                        /* -1: a new network namespace; else joined */
    int stdio[3];                        /* parent fds dup'ed onto 0, 1, 2 (-1: /dev/null) */
    const struct edge_mount *mounts; int nmounts;
    const char *cgroup;                  /* relative path, e.g. "edgectl/pod-x/c1"; NULL: none */
    struct edge_cgroup_limits limits;
    uint64_t nofile;                     /* RLIMIT_NOFILE soft and hard; 0: inherit */
};

/* The 14 capabilities container engines grant by default. */
uint64_t edge_default_capabilities(void);
/* The capabilities this process may hand on: its bounding set up to the kernel's
 * CAP_LAST_CAP, read now (a host may lack some, e.g. in a container or under systemd). */
uint64_t edge_host_capabilities(void);

/* ---- paths inside a directory that must not be left ----
 * edge_safe_open opens `path` below the directory rootfd one component at a time, reading
 * and resolving every symlink itself: with EDGE_SAFE_IN_ROOT an absolute link or ".." at the
 * top resolves against rootfd as if it were "/" (how a mount target inside a container's
 * root is found, runc's securejoin rule); with EDGE_SAFE_BENEATH either fails with EXDEV
 * (a volume's subPath, kubelet's rule). Missing components are made as directories with
 * EDGE_SAFE_CREATE_DIR, or directories then an empty file last with EDGE_SAFE_CREATE_FILE.
 * Returns an O_PATH descriptor (close-on-exec) or -1 with errno. Async-signal-safe. */
#define EDGE_SAFE_IN_ROOT 0
#define EDGE_SAFE_BENEATH 1
#define EDGE_SAFE_CREATE_NONE 0
#define EDGE_SAFE_CREATE_DIR 1
#define EDGE_SAFE_CREATE_FILE 2
int edge_safe_open(int rootfd, const char *path, int flags, int create, mode_t perm);
/* "/proc/self/fd/N": how an opened path is handed to mount(2) without resolving it again. */
void edge_fd_path(char *out, size_t len, int fd);

/* Starts the container; *pid is its init process as seen from here. */
int edge_container_start(const struct edge_container *c, pid_t *pid, char *err, size_t errlen);

/* 1 when /sys/fs/cgroup is the unified (v2) hierarchy. */
int edge_cgroup_v2(void);
/* Removes the container's cgroup directories (after it exited). */
void edge_cgroup_remove(const char *cgroup);
/* The memory cgroup's OOM kill count for the container (v1 memory.oom_control / v2 memory.events). */
int64_t edge_cgroup_oom_kills(const char *cgroup);
/* The same three against a hierarchy at `root` of the given version (v2: 1, v1: 0), which
 * need not be the machine's: the managers' tests run them against a fake cgroupfs. */
int edge_cgroup_apply_at(const char *root, int v2, const char *cgroup, const struct edge_cgroup_limits *limits, pid_t pid, char *err,
                         size_t errlen);
void edge_cgroup_remove_at(const char *root, int v2, const char *cgroup);
int64_t edge_cgroup_oom_kills_at(const char *root, int v2, const char *cgroup);


/* ---- exec: a process inside a running container (kubectl exec) ----
 * The parent opens the container's namespaces, forks a helper that joins the
 * container's cgroup and namespaces and clones the process as the parent's
 * own child (CLONE_PARENT), so the caller can waitpid it. Same error style. */
struct edge_exec {
    pid_t target;                        /* host pid of the container's init */
    const char *const *argv;             /* NULL-terminated, argv[0] resolved against PATH in envp */
    const char *const *envp;             /* NULL-terminated */
    const char *cwd;                     /* default "/" */
    uint32_t uid, gid;
    const uint32_t *groups; int ngroups;
    uint64_t capabilities;               /* as edge_container */
    int seccomp_default;
    const char *cgroup;                  /* relative path of the container's cgroup; NULL: stay where the agent is */
    int tty;                             /* 1: a new session with a pty from the container's /dev/pts as stdio */
    int stdio[3];                        /* without tty: parent fds dup'ed onto 0, 1, 2 (-1: /dev/null) */
};

/* Starts the process. *pid is its host pid (a child of the caller); with tty,
 * *pty_master receives the master side (close-on-exec), else -1. */
int edge_exec_start(const struct edge_exec *e, pid_t *pid, int *pty_master, char *err, size_t errlen);
/* pipe2(O_CLOEXEC): Swift's Glibc module does not export pipe2. */
int edge_pipe_cloexec(int fds[2]);
/* Sets a pty's window size. */
int edge_pty_resize(int master, uint16_t cols, uint16_t rows);
/* The version of the libseccomp linked in, as "2.5.4". */
void edge_seccomp_version(char *out, size_t outlen);
/* The version of the C library, as "2.36" (Swift's Glibc module leaves out <gnu/libc-version.h>). */
const char *edge_glibc_version(void);
/* Runs exe with argv (stdio on /dev/null) and waits: 0 when it ran and exited 0; otherwise
 * -1 and why in err ("executing X failed: Exec format error", "X version exited with status 3"). */
int edge_exec_probe(const char *exe, const char *const *argv, char *err, size_t errlen);

#endif
