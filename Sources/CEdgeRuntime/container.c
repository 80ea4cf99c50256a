/* Container start: clone into new namespaces, join cgroups from the parent,
 * then in the child set up mounts, pivot_root, masked and read-only paths,
 * identity, capabilities, no_new_privs and seccomp, and exec. */
#include "edge_runtime.h"
#include "cgroups.h"
#include "process_setup.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf_common.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
uint64_t edge_default_capabilities(void) {
    const int caps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP,
                        CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SYS_CHROOT, CAP_MKNOD, CAP_AUDIT_WRITE, CAP_SETFCAP};
    uint64_t mask = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) mask |= 1ULL << caps[i];
    return mask;
}

/* containerd's defaults: paths hidden from containers, and paths they may only read. */
static const char *const masked_paths[] = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                           "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                           "/sys/firmware", "/sys/devices/virtual/powercap", NULL};
static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};

struct child_args {
    const struct edge_container *c;
    int sync;
};

/* The parent's go-ahead: a flag word, then the compiled seccomp program, if any. */
struct go_message {
    uint64_t has_seccomp;
    struct sock_filter program[BPF_MAXINSNS];
};

/* Child-side failure: message to the parent, then exit. Only stack buffers and syscalls. */
static void die(int sync, const char *fmt, ...) {
    char msg[512];
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof msg - 2) snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(e));
    if (write(sync, msg, strlen(msg)) < 0) { /* nothing more to do */ }
    _exit(127);
}

static void mount_or_die(int sync, const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
    if (mount(src, dst, type, flags, data) != 0) die(sync, "failed to mount %s on %s", type ? type : src, dst);
}

/* `path` inside the container's root (rootfd), made if missing (a directory, or an empty file when
 * `file`), resolved as runc's securejoin does: a symlink or ".." in the image or the path itself can
 * never lead out of the root. The result is an O_PATH descriptor; mounts go on /proc/self/fd/N, so
 * nothing resolves the path again between this check and the mount. */
static int target_or_die(int sync, int rootfd, const char *path, int file) {
    int fd = edge_safe_open(rootfd, path, EDGE_SAFE_IN_ROOT, file ? EDGE_SAFE_CREATE_FILE : EDGE_SAFE_CREATE_DIR, file ? 0644 : 0755);
    if (fd < 0) die(sync, "failed to make mount point %s in the container", path);
    return fd;
}

/* Mounts onto an opened target. A mount covers the target, so a descriptor opened before it still names
 * the covered directory: anything done to the mount afterwards (a remount) reopens the path first. */
static void mount_at(int sync, const char *src, int fd, const char *what, const char *type, unsigned long flags, const char *data) {
    char p[64];
    edge_fd_path(p, sizeof p, fd);
    if (mount(src, p, type, flags, data) != 0) die(sync, "failed to mount %s on %s", type ? type : src, what);
}

static void remount_at(int sync, int rootfd, const char *path, unsigned long flags) {
    int fd = edge_safe_open(rootfd, path, EDGE_SAFE_IN_ROOT, EDGE_SAFE_CREATE_NONE, 0);
    if (fd < 0) die(sync, "failed to find %s in the container again", path);
    mount_at(sync, NULL, fd, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
    close(fd);
}

/* A read-only bind mount made in one step where the kernel has the new mount API (5.12+): the copy of
 * the source is made read-only before it is attached at the target's descriptor, so there is no moment
 * it is writable and no second lookup of the target. -1 with ENOSYS: take the old bind-then-remount way. */
static int bind_readonly(const char *src, int target, unsigned long flags) {
#if defined(SYS_open_tree) && defined(SYS_move_mount) && defined(SYS_mount_setattr) && defined(MOUNT_ATTR_RDONLY)
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) return -1;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_RDONLY | (flags & MS_NOSUID ? MOUNT_ATTR_NOSUID : 0) | (flags & MS_NODEV ? MOUNT_ATTR_NODEV : 0) |
                    (flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0 ||
        syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
        int e = errno;
        close(tree);
        errno = e;
        return -1;
    }
    close(tree);
    return 0;
#else
    (void)src; (void)target; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

static void setup_dev(int sync, int rootfd) {
    int fd = target_or_die(sync, rootfd, "/dev", 0);
    mount_at(sync, "tmpfs", fd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    close(fd);
    /* The fresh tmpfs, by descriptor: every name below is made in it and nowhere else. */
    int dev = edge_safe_open(rootfd, "/dev", EDGE_SAFE_IN_ROOT, EDGE_SAFE_CREATE_NONE, 0);
    if (dev < 0) die(sync, "failed to open the container's /dev");
    char host[64];
    for (const char *const *d = devices; *d; d++) {
        snprintf(host, sizeof host, "/dev/%s", *d);
        struct stat st;
        if (stat(host, &st) != 0) die(sync, "host device %s is missing", host);
        /* A node of our own, as OCI runtimes make as root; where mknod is refused, the host's node bound in. */
        if (mknodat(dev, *d, S_IFCHR | 0666, st.st_rdev) == 0) {
            fchmodat(dev, *d, 0666, 0); /* umask applies to mknod */
        } else {
            int node = edge_safe_open(dev, *d, EDGE_SAFE_BENEATH, EDGE_SAFE_CREATE_FILE, 0666);
            if (node < 0) die(sync, "failed to make %s in the container", host);
            mount_at(sync, host, node, host, NULL, MS_BIND, NULL);
            close(node);
        }
    }
    static const struct { const char *name, *type, *source, *data; unsigned long flags; } mounts[] = {
        {"pts", "devpts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5", MS_NOSUID | MS_NOEXEC},
        {"shm", "tmpfs", "shm", "mode=1777,size=65536k", MS_NOSUID | MS_NOEXEC | MS_NODEV},
        {"mqueue", "mqueue", "mqueue", NULL, MS_NOSUID | MS_NOEXEC | MS_NODEV},
    };
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        int at = edge_safe_open(dev, mounts[i].name, EDGE_SAFE_BENEATH, EDGE_SAFE_CREATE_DIR, 0755);
        if (at < 0) die(sync, "failed to make /dev/%s in the container", mounts[i].name);
        mount_at(sync, mounts[i].source, at, mounts[i].name, mounts[i].type, mounts[i].flags, mounts[i].data);
        close(at);
    }
    /* As runc: /dev/core only where the kernel has /proc/kcore (masked in the container either way). */
    const char *links[][2] = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
                              {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}, {"/proc/kcore", "core"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        if (strcmp(links[i][1], "core") == 0 && access("/proc/kcore", F_OK) != 0) continue;
        if (symlinkat(links[i][0], dev, links[i][1]) != 0 && errno != EEXIST) die(sync, "failed to link /dev/%s", links[i][1]);
    }
    close(dev);
}

/* A bind mount's source: the path itself, or with a subPath the place inside it that subPath names,
 * reached without leaving it (kubelet's rule: a symlink in the volume may not lead out of the volume,
 * whoever planted it); a missing subPath is made as a directory, as kubelet does. -1: no descriptor. */
static int bind_source(int sync, const struct edge_mount *m) {
    if (!m->subpath || !*m->subpath) return -1;
    int base = open(m->source, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (base < 0) die(sync, "failed to open volume %s", m->source);
    struct stat st;
    mode_t perm = fstat(base, &st) == 0 ? (st.st_mode & 07777) : 0755;
    int fd = edge_safe_open(base, m->subpath, EDGE_SAFE_BENEATH, EDGE_SAFE_CREATE_DIR, perm);
    close(base);
    if (fd < 0) die(sync, "subPath %s leads out of its volume or cannot be opened", m->subpath);
    return fd;
}

static void setup_mounts(int sync, const struct edge_container *c) {
    const char *root = c->rootfs;
    /* Nothing done here may leak back to the host. */
    mount_or_die(sync, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    mount_or_die(sync, root, root, NULL, MS_BIND | MS_REC, NULL);
    /* Opened after the bind above, so the mounts below land on the root that pivot_root takes. */
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) die(sync, "failed to open %s", root);
    int fd = target_or_die(sync, rootfd, "/proc", 0);
    mount_at(sync, "proc", fd, "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
    close(fd);
    setup_dev(sync, rootfd);
    fd = target_or_die(sync, rootfd, "/sys", 0);
    mount_at(sync, "sysfs", fd, "/sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
    close(fd);
    for (int i = 0; i < c->nmounts; i++) {
        const struct edge_mount *m = &c->mounts[i];
        if (m->fstype) {
            fd = target_or_die(sync, rootfd, m->target, 0);
            mount_at(sync, m->source, fd, m->target, m->fstype, m->flags, m->data);
            close(fd);
            continue;
        }
        int src = bind_source(sync, m);
        char srcpath[64];
        if (src >= 0) edge_fd_path(srcpath, sizeof srcpath, src);
        struct stat st;
        int file = (src >= 0 ? fstat(src, &st) : stat(m->source, &st)) == 0 && !S_ISDIR(st.st_mode);
        fd = target_or_die(sync, rootfd, m->target, file);
        const char *from = src >= 0 ? srcpath : m->source;
        if (!(m->flags & MS_RDONLY)) {
            mount_at(sync, from, fd, m->target, NULL, MS_BIND | MS_REC, NULL);
        } else if (bind_readonly(from, fd, m->flags) != 0) {
            if (errno != ENOSYS) die(sync, "failed to mount %s read-only on %s", from, m->target);
            mount_at(sync, from, fd, m->target, NULL, MS_BIND | MS_REC, NULL);
            remount_at(sync, rootfd, m->target, MS_RDONLY | (m->flags & ~MS_RDONLY));
        }
        close(fd);
        if (src >= 0) close(src);
    }
    close(rootfd);
    if (chdir(root) != 0) die(sync, "failed to enter %s", root);
    /* pivot_root(".", "."): the old root ends up stacked under the new one and is detached. */
    if (syscall(SYS_pivot_root, ".", ".") != 0) die(sync, "pivot_root into %s failed", root);
    if (umount2(".", MNT_DETACH) != 0) die(sync, "failed to detach the old root");
    if (chdir("/") != 0) die(sync, "chdir / failed");
    /* From here "/" is the container's root: these paths cannot lead anywhere else. */
    for (const char *const *m = masked_paths; *m; m++) {
        struct stat st;
        if (stat(*m, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) mount_or_die(sync, "tmpfs", *m, "tmpfs", MS_RDONLY, NULL);
        else mount_or_die(sync, "/dev/null", *m, NULL, MS_BIND, NULL);
    }
    for (const char *const *r = readonly_paths; *r; r++) {
        if (access(*r, F_OK) != 0) continue;
        mount_or_die(sync, *r, *r, NULL, MS_BIND | MS_REC, NULL);
        mount_or_die(sync, NULL, *r, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    }
    if (c->readonly_rootfs) mount_or_die(sync, NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
}

/* The child does its namespace and mount set-up while the parent, at the same
 * time, makes the cgroups and compiles the seccomp profile; it waits for the
 * parent's go (and the program) only before it takes its identity and execs,
 * so nothing of the container's own runs outside its cgroup or unfiltered. */
static int child_main(void *arg) {
    struct child_args *a = arg;
    const struct edge_container *c = a->c;
    int sync = a->sync;
    if (c->netns_fd >= 0 && setns(c->netns_fd, CLONE_NEWNET) != 0) die(sync, "failed to join the pod network namespace");
    if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) != 0) die(sync, "sethostname failed");
    setup_mounts(sync, c);
    if (c->nofile > 0) {
        struct rlimit rl = {c->nofile, c->nofile};
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) die(sync, "setrlimit NOFILE failed");
    }
    for (int i = 0; i < 3; i++) {
        int fd = c->stdio[i] >= 0 ? c->stdio[i] : open("/dev/null", O_RDWR);
        if (fd < 0 || dup2(fd, i) < 0) die(sync, "failed to set up fd %d", i);
    }
    /* No host descriptor reaches the container: everything above 2 closes (the sync socket on exec). */
    if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
        for (int fd = 3; fd < 65536; fd++) if (fd != sync) close(fd);
    }
    /* On the child's stack (it is 256 KiB): no allocation in a child cloned from a threaded parent. */
    struct go_message go;
    ssize_t n = recv(sync, &go, sizeof go, 0);
    if (n < (ssize_t)sizeof go.has_seccomp) _exit(127); /* the parent gave up and says why itself */
    struct sock_fprog filter = {(unsigned short)(((size_t)n - sizeof go.has_seccomp) / sizeof(struct sock_filter)), go.program};
    char what[512];
    if (edge_set_identity(c->uid, c->gid, c->groups, c->ngroups, c->capabilities, what, sizeof what) != 0) die(sync, "%s", what);
    if (chdir(c->cwd && *c->cwd ? c->cwd : "/") != 0) die(sync, "failed to enter working directory %s", c->cwd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(sync, "PR_SET_NO_NEW_PRIVS failed");
    if (edge_reset_signals(what, sizeof what) != 0) die(sync, "%s", what);
    /* Last before exec, so the profile need not allow the set-up above. */
    if (go.has_seccomp && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) die(sync, "failed to load the seccomp profile");
    edge_exec_in_path(c->argv, c->envp, what, sizeof what);
    die(sync, "%s", what);
    return 127;
}

/* A failure the child already reported, if any (it may have died first, making ours a consequence). */
static int child_report(int sock, char *err, size_t errlen) {
    char msg[512];
    ssize_t n = recv(sock, msg, sizeof msg - 1, MSG_DONTWAIT);
    if (n <= 0) return 0;
    msg[n] = 0;
    snprintf(err, errlen, "%s", msg);
    return 1;
}

/* Cgroups and the seccomp program, while the child sets up its mounts. */
static int prepare_for_child(const struct edge_container *c, pid_t pid, struct go_message *go, size_t *golen, char *err, size_t errlen) {
    if (c->cgroup && edge_cgroup_apply(c->cgroup, &c->limits, pid, err, errlen) != 0) return -1;
    go->has_seccomp = 0;
    *golen = sizeof go->has_seccomp;
    if (!c->seccomp_default) return 0;
    struct sock_fprog prog;
    if (edge_seccomp_default_program(&prog, err, errlen) != 0) return -1;
    if (prog.len > BPF_MAXINSNS) { free(prog.filter); snprintf(err, errlen, "the seccomp program is too long (%u instructions)", prog.len); return -1; }
    memcpy(go->program, prog.filter, prog.len * sizeof(struct sock_filter));
    go->has_seccomp = 1;
    *golen += prog.len * sizeof(struct sock_filter);
    free(prog.filter);
    return 0;
}

int edge_container_start(const struct edge_container *c, pid_t *pid_out, char *err, size_t errlen) {
    if (!c->rootfs || !c->argv || !c->argv[0]) { snprintf(err, errlen, "rootfs and argv are required"); return -1; }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    struct child_args a = {.c = c, .sync = sv[1]};
    const size_t stack_size = 256 * 1024;
    char *stack = malloc(stack_size);
    struct go_message *go = malloc(sizeof *go);
    int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
    if (c->netns_fd < 0) flags |= CLONE_NEWNET;
    pid_t pid = stack && go ? clone(child_main, stack + stack_size, flags, &a) : -1;
    int clone_errno = stack && go ? errno : ENOMEM;
    close(sv[1]);
    int rc = 0;
    size_t golen = 0;
    if (pid < 0) {
        snprintf(err, errlen, "clone failed: %s", strerror(clone_errno));
        rc = -1;
    } else if (prepare_for_child(c, pid, go, &golen, err, errlen) != 0) {
        child_report(sv[0], err, errlen);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        rc = -1;
    } else {
        /* MSG_NOSIGNAL: a child that already failed has closed its end; its message is still queued. */
        char msg[512];
        int sent = send(sv[0], go, golen, MSG_NOSIGNAL) == (ssize_t)golen;
        ssize_t n = recv(sv[0], msg, sizeof msg - 1, 0);
        /* A child that failed and closed its end before reading the go message leaves ECONNRESET
         * pending on ours; the kernel reports it once, and its failure message is still queued. */
        for (int tries = 0; n < 0 && (errno == ECONNRESET || errno == EINTR) && tries < 3; tries++) {
            n = recv(sv[0], msg, sizeof msg - 1, 0);
        }
        if (n > 0) {
            /* The child reported a failure before exec. */
            msg[n] = 0;
            snprintf(err, errlen, "%s", msg);
            waitpid(pid, NULL, 0);
            rc = -1;
        } else if (n < 0 || !sent) {
            snprintf(err, errlen, "lost contact with the container before exec");
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            rc = -1;
        }
    }
    close(sv[0]);
    free(stack);
    free(go);
    if (rc == 0) *pid_out = pid;
    return rc;
}
