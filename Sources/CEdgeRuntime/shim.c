/* The per-container supervisor: started detached from the agent, it holds the
 * container's stdout/stderr, writes them to a CRI-format log file and records
 * how the container ended, so the agent may stop, crash or restart at any
 * time without losing a container, its output or its exit status. */
#include "edge_shim.h"
#include "edge_runtime.h"
#include "fork_report.h"
#include "process_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int edge_spawn_detached(const char *exe, const char *const *argv, int report_fd, pid_t *pid_out, char *err, size_t errlen) {
    int p[2];
    pid_t child = edge_fork_with_report(p, err, errlen);
    if (child < 0) return -1;
    if (child == 0) {
        /* Only async-signal-safe calls from here: the parent may have other threads. */
        setsid();
        pid_t g = fork();
        if (g != 0) {
            if (g > 0 && write(p[1], &g, sizeof g) != sizeof g) _exit(1);
            _exit(g > 0 ? 0 : 1);
        }
        int keep = fcntl(report_fd, F_DUPFD, 100);
        int devnull = open("/dev/null", O_RDWR);
        if (keep < 0 || devnull < 0) _exit(127);
        dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2);
        dup2(keep, 3);
        if (syscall(SYS_close_range, 4, ~0U, 0) != 0) for (int fd = 4; fd < 65536; fd++) close(fd);
        /* The agent's runtime blocks or ignores signals; the shim and its container start clean. */
        char what[64];
        edge_reset_signals(what, sizeof what);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    pid_t g = 0;
    ssize_t n = read(p[0], &g, sizeof g);
    close(p[0]);
    if (n != sizeof g || g <= 0) { snprintf(err, errlen, "failed to start the container supervisor %s", exe); return -1; }
    *pid_out = g;
    return 0;
}

struct stream {
    int fd;
    const char *name;
    char buf[16384];
    size_t len;
};

static void timestamp(char *out, size_t len, int nanos) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (nanos) snprintf(out + n, len - n, ".%09ldZ", ts.tv_nsec);
    else snprintf(out + n, len - n, "Z");
}

/* Log rotation, kubelet's --container-log-max-size and --container-log-max-files: once the log
 * reaches max bytes it becomes LOG.1 (LOG.1 becomes LOG.2 ...), keeping `files` files in all with
 * the current one. The agent sets EDGECTL_LOG_MAX_SIZE and EDGECTL_LOG_MAX_FILES for the shim; 0: never. */
static struct { const char *path; long long max, size; int files; } rotation;

static void rotation_init(const char *path, int log) {
    const char *m = getenv("EDGECTL_LOG_MAX_SIZE"), *f = getenv("EDGECTL_LOG_MAX_FILES");
    rotation.path = path;
    rotation.max = m ? atoll(m) : 0;
    rotation.files = f ? atoi(f) : 0;
    if (rotation.max < 4096 || rotation.files < 2 || rotation.files > 100) rotation.max = 0;
    struct stat st;
    rotation.size = log >= 0 && fstat(log, &st) == 0 ? (long long)st.st_size : 0;
}

static void rotate(int *log) {
    char from[4200], to[4200];
    for (int i = rotation.files - 1; i >= 1; i--) {
        if (i == 1) snprintf(from, sizeof from, "%s", rotation.path);
        else snprintf(from, sizeof from, "%s.%d", rotation.path, i - 1);
        snprintf(to, sizeof to, "%s.%d", rotation.path, i);
        rename(from, to);
    }
    int fd = open(rotation.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd >= 0) { close(*log); *log = fd; }
    rotation.size = 0;
}

/* One CRI log line: "<time> <stream> <F|P> <text>\n", in one write so lines never interleave. */
static void log_line(int *log, const char *stream, int partial, const char *text, size_t len) {
    char head[96];
    char ts[48];
    timestamp(ts, sizeof ts, 1);
    int n = snprintf(head, sizeof head, "%s %s %c ", ts, stream, partial ? 'P' : 'F');
    struct iovec iov[3] = {{head, (size_t)n}, {(void *)text, len}, {"\n", 1}};
    ssize_t w = writev(*log, iov, 3);
    if (w < 0) return; /* a full disk loses output, not the container */
    rotation.size += w;
    if (rotation.max > 0 && *log > 2 && rotation.size >= rotation.max) rotate(log);
}

/* Reads what is available; emits complete lines, a full buffer as a partial line. 0 at EOF. */
static int pump(int *log, struct stream *s) {
    ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) {
        if (s->len) log_line(log, s->name, 0, s->buf, s->len);
        s->len = 0;
        return 0;
    }
    s->len += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (s->buf[i] != '\n') continue;
        log_line(log, s->name, 0, s->buf + start, i - start);
        start = i + 1;
    }
    if (start == 0 && s->len == sizeof s->buf) {
        log_line(log, s->name, 1, s->buf, s->len);
        s->len = 0;
    } else if (start > 0) {
        memmove(s->buf, s->buf + start, s->len - start);
        s->len -= start;
    }
    return 1;
}

int edge_shim_supervise(pid_t pid, int out_fd, int err_fd, const char *log_path, const char *exit_path, const char *cgroup) {
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    rotation_init(log_path, log);
    static struct stream streams[2];
    streams[0].fd = out_fd; streams[0].name = "stdout"; streams[0].len = 0;
    streams[1].fd = err_fd; streams[1].name = "stderr"; streams[1].len = 0;
    /* Every process of the container dies with its pid 1, so both pipes reach EOF. */
    for (;;) {
        struct pollfd fds[2];
        int nfds = 0, idx[2];
        for (int i = 0; i < 2; i++) {
            if (streams[i].fd < 0) continue;
            fds[nfds].fd = streams[i].fd;
            fds[nfds].events = POLLIN;
            fds[nfds].revents = 0;
            idx[nfds++] = i;
        }
        if (nfds == 0) break;
        if (poll(fds, (nfds_t)nfds, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int k = 0; k < nfds; k++) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            struct stream *s = &streams[idx[k]];
            int err = 2;
            if (!pump(log >= 0 ? &log : &err, s)) { close(s->fd); s->fd = -1; }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int code = 0, sig = 0;
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) { sig = WTERMSIG(status); code = 128 + sig; }
    int oom = cgroup && *cgroup && edge_cgroup_oom_kills(cgroup) > 0;
    char ts[48], tmp[4200], body[256];
    timestamp(ts, sizeof ts, 0);
    int n = snprintf(body, sizeof body, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\",\"oomKilled\":%s}\n", code, sig, ts,
                     oom ? "true" : "false");
    snprintf(tmp, sizeof tmp, "%s.tmp", exit_path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd >= 0) {
        rc = write(fd, body, (size_t)n) == n ? 0 : -1;
        close(fd);
        if (rc == 0) rc = rename(tmp, exit_path);
    }
    if (log >= 0) close(log);
    return rc;
}

/* `edgectl __supervise PID OUT_FD ERR_FD LOG EXIT CGROUP`: once the container
 * runs, the shim re-executes itself into this, and it is handled here before
 * the Swift runtime starts. So the process that stays for the container's
 * life is this C loop (a few hundred KB), not a Swift process per pod. */
__attribute__((constructor)) static void supervise_entry(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc != 8 || strcmp(argv[1], "__supervise") != 0) return;
    pid_t pid = (pid_t)atoi(argv[2]);
    int rc = edge_shim_supervise(pid, atoi(argv[3]), atoi(argv[4]), argv[5], argv[6], argv[7]);
    if (argv[7][0]) edge_cgroup_remove(argv[7]);
    _exit(rc == 0 ? 0 : 1);
}

/* Field 3 (state) and field 22 (start time in clock ticks) of /proc/PID/stat; 0 when there is no such process. */
static unsigned long long process_stat(pid_t pid, char *state) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    /* The command name may hold spaces and parentheses: count fields after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    if (state) *state = p[1] == ' ' ? p[2] : 0;
    int field = 2;
    for (; *p && field < 22; p++) if (*p == ' ') field++;
    unsigned long long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (unsigned long long)(*p - '0');
    return v;
}

unsigned long long edge_process_start_ticks(pid_t pid) { return process_stat(pid, NULL); }

int edge_process_alive(pid_t pid, unsigned long long start_ticks) {
    char state = 0;
    unsigned long long ticks = process_stat(pid, &state);
    if (ticks == 0 || state == 'Z' || state == 'X') return 0;
    return start_ticks == 0 || ticks == start_ticks;
}
