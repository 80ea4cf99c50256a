/* exec: start a process inside a running container.
 *
 * setns into a mount namespace is refused to a multi-threaded process, and a
 * pid namespace only applies to children, so the work is staged as nsenter and
 * runc do: the parent opens the container's namespaces and compiles seccomp;
 * a forked helper (single-threaded) is moved into the container's cgroup by
 * the parent, joins the namespaces and clones the process with CLONE_PARENT,
 * which makes it the parent's own child (waitpid works, no subreaper needed).
 * Messages over a SOCK_SEQPACKET socketpair: 'P'+pid from the helper, 'M' with
 * the pty master (SCM_RIGHTS), 'E'+text on a failure; end of file once the
 * process exec'd (the socket is close-on-exec). */
#include "cgroups.h"
#include "edge_runtime.h"
#include "process_setup.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Joined in this order; mnt last so nothing after it depends on host paths. */
static const struct { const char *name; int type; } namespaces[] = {
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
#define NNS (sizeof namespaces / sizeof namespaces[0])

/* Child-side failure: 'E' + message to the parent, then exit. Stack buffers and syscalls only. */
static void fail(int sync, const char *fmt, ...) {
    char msg[512];
    int e = errno;
    msg[0] = 'E';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg + 1, sizeof msg - 1, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof msg - 3) snprintf(msg + 1 + n, sizeof msg - 1 - (size_t)n, ": %s", strerror(e));
    if (write(sync, msg, strlen(msg)) < 0) { /* nothing more to do */ }
    _exit(127);
}

static void send_fd(int sync, int fd) {
    char tag = 'M';
    struct iovec iov = {&tag, 1};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(sync, &m, 0) != 1) fail(sync, "failed to pass the terminal to the agent");
}

/* A terminal from the container's own devpts, so `tty` names a path that exists inside. */
static void setup_tty(int sync, const struct edge_exec *e) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail(sync, "failed to open /dev/ptmx in the container");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0) fail(sync, "failed to unlock the pty");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        int n;
        char path[64];
        if (ioctl(master, TIOCGPTN, &n) != 0) fail(sync, "failed to name the pty");
        snprintf(path, sizeof path, "/dev/pts/%d", n);
        slave = open(path, O_RDWR | O_NOCTTY);
        if (slave < 0) fail(sync, "failed to open %s", path);
    }
    send_fd(sync, master);
    close(master);
    /* The terminal belongs to whoever runs in it, as engines do for exec. */
    if (fchown(slave, e->uid, (gid_t)-1) != 0) { /* devpts may refuse; the fd is open either way */ }
    if (setsid() < 0) fail(sync, "setsid failed");
    if (ioctl(slave, TIOCSCTTY, 0) != 0) fail(sync, "failed to make the pty the controlling terminal");
    for (int i = 0; i < 3; i++) if (dup2(slave, i) < 0) fail(sync, "failed to set up fd %d", i);
    if (slave > 2) close(slave);
}

static void setup_stdio(int sync, const struct edge_exec *e) {
    /* dup2 onto the low fds could clobber a source fd still needed: move sources above 2 first. */
    int src[3];
    for (int i = 0; i < 3; i++) {
        int fd = e->stdio[i] >= 0 ? e->stdio[i] : open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0) fail(sync, "failed to open /dev/null");
        src[i] = fd < 3 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : fd;
        if (src[i] < 0) fail(sync, "failed to move fd %d", fd);
    }
    for (int i = 0; i < 3; i++) if (dup2(src[i], i) < 0) fail(sync, "failed to set up fd %d", i);
}

/* The process itself: already in the container's namespaces and cgroup. */
static void process_main(int sync, const struct edge_exec *e, const struct sock_fprog *filter) {
    char what[512];
    /* The agent ignores SIGPIPE (NIO) and may block signals; a shell must start with the defaults. */
    if (edge_reset_signals(what, sizeof what) != 0) fail(sync, "%s", what);
    if (e->tty) setup_tty(sync, e); else setup_stdio(sync, e);
    /* No agent descriptor reaches the process: everything above 2 closes on exec. */
    if (syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) != 0) {
        for (int fd = 3; fd < 65536; fd++) if (fd != sync) close(fd);
    }
    if (edge_set_identity(e->uid, e->gid, e->groups, e->ngroups, e->capabilities, what, sizeof what) != 0) fail(sync, "%s", what);
    if (chdir(e->cwd && *e->cwd ? e->cwd : "/") != 0) fail(sync, "failed to enter working directory %s", e->cwd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(sync, "PR_SET_NO_NEW_PRIVS failed");
    if (filter && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter) != 0) fail(sync, "failed to load the seccomp profile");
    edge_exec_in_path(e->argv, e->envp, what, sizeof what);
    fail(sync, "%s", what);
}

static void helper_main(int sync, const struct edge_exec *e, const int *nsfd, const struct sock_fprog *filter) {
    char go;
    if (read(sync, &go, 1) != 1) _exit(127);
    for (size_t i = 0; i < NNS; i++) {
        if (setns(nsfd[i], namespaces[i].type) != 0) fail(sync, "failed to join the container's %s namespace", namespaces[i].name);
        close(nsfd[i]);
    }
    /* A raw clone with no stack behaves as fork; CLONE_PARENT hands the child to our parent. */
    long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) fail(sync, "failed to start the process in the container's pid namespace");
    if (pid == 0) process_main(sync, e, filter);
    char msg[1 + sizeof(int32_t)];
    int32_t p = (int32_t)pid;
    msg[0] = 'P';
    memcpy(msg + 1, &p, sizeof p);
    if (write(sync, msg, sizeof msg) != (ssize_t)sizeof msg) _exit(127);
    _exit(0);
}

/* Joins an existing container cgroup (v2 directory, or each v1 controller that has it: the devices
 * one too, so an exec'd process meets the container's device allow-list). */
static int cgroup_join(const char *cgroup, pid_t pid, char *err, size_t errlen) {
    const char *const *v1 = edge_v1_controllers;
    char path[4096], value[32];
    snprintf(value, sizeof value, "%d", (int)pid);
    int v2 = edge_cgroup_v2();
    for (int i = 0; v2 ? i < 1 : v1[i] != NULL; i++) {
        if (v2) snprintf(path, sizeof path, "/sys/fs/cgroup/%s/cgroup.procs", cgroup);
        else snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s/cgroup.procs", v1[i], cgroup);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            if (!v2 && errno == ENOENT) continue; /* a controller the container was not placed in */
            snprintf(err, errlen, "failed to join cgroup %s: %s", path, strerror(errno));
            return -1;
        }
        ssize_t n = write(fd, value, strlen(value));
        int we = errno;
        close(fd);
        if (n < 0) { snprintf(err, errlen, "failed to join cgroup %s: %s", path, strerror(we)); return -1; }
    }
    return 0;
}

static void reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
}

int edge_exec_start(const struct edge_exec *e, pid_t *pid_out, int *pty_out, char *err, size_t errlen) {
    *pty_out = -1;
    if (!e->argv || !e->argv[0]) { snprintf(err, errlen, "a command is required"); return -1; }
    int nsfd[NNS];
    for (size_t i = 0; i < NNS; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)e->target, namespaces[i].name);
        nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd[i] < 0) {
            snprintf(err, errlen, "the container is not running (cannot open %s: %s)", path, strerror(errno));
            for (size_t j = 0; j < i; j++) close(nsfd[j]);
            return -1;
        }
    }
    struct sock_fprog filter = {0, NULL};
    int has_filter = 0;
    int sv[2] = {-1, -1};
    int rc = -1;
    if (e->seccomp_default) {
        if (edge_seccomp_default_program(&filter, err, errlen) != 0) goto out;
        has_filter = 1;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        goto out;
    }
    pid_t helper = fork();
    if (helper < 0) { snprintf(err, errlen, "fork failed: %s", strerror(errno)); goto out; }
    if (helper == 0) {
        close(sv[0]);
        helper_main(sv[1], e, nsfd, has_filter ? &filter : NULL);
        _exit(127);
    }
    close(sv[1]);
    sv[1] = -1;
    if (e->cgroup && *e->cgroup && cgroup_join(e->cgroup, helper, err, errlen) != 0) {
        kill(helper, SIGKILL);
        reap(helper);
        goto out;
    }
    char go = 1;
    if (write(sv[0], &go, 1) != 1) {
        snprintf(err, errlen, "lost contact with the exec helper");
        kill(helper, SIGKILL);
        reap(helper);
        goto out;
    }
    pid_t pid = -1;
    int master = -1;
    char failure[512] = "";
    for (;;) {
        char buf[512];
        union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        struct iovec iov = {buf, sizeof buf - 1};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
        ssize_t n = recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (buf[0] == 'P' && n == 1 + (ssize_t)sizeof(int32_t)) {
            int32_t p;
            memcpy(&p, buf + 1, sizeof p);
            pid = p;
        } else if (buf[0] == 'M') {
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&master, CMSG_DATA(c), sizeof(int));
        } else if (buf[0] == 'E') {
            buf[n] = 0;
            snprintf(failure, sizeof failure, "%s", buf + 1);
        }
    }
    reap(helper);
    if (failure[0] || pid < 0) {
        snprintf(err, errlen, "%s", failure[0] ? failure : "the exec helper exited before starting the process");
        if (pid > 0) reap(pid);
        if (master >= 0) close(master);
        goto out;
    }
    if (e->tty && master < 0) {
        snprintf(err, errlen, "the process started without a terminal");
        kill(pid, SIGKILL);
        reap(pid);
        goto out;
    }
    *pid_out = pid;
    *pty_out = master;
    rc = 0;
out:
    for (size_t i = 0; i < NNS; i++) close(nsfd[i]);
    if (sv[0] >= 0) close(sv[0]);
    if (sv[1] >= 0) close(sv[1]);
    if (has_filter) free(filter.filter);
    return rc;
}

int edge_pty_resize(int master, uint16_t cols, uint16_t rows) {
    struct winsize ws = {.ws_row = rows, .ws_col = cols};
    return ioctl(master, TIOCSWINSZ, &ws);
}

int edge_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
