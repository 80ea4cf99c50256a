/* Runs a CNI plugin: stdin fed from a buffer, stdout collected, a deadline. */
#include "edge_netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUTPUT (16 << 20)

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int edge_run_program(const char *path, const char *const *argv, const char *const *envp, const char *input, size_t input_len,
                     char **out, size_t *out_len, int *status, int timeout_ms, char *err, size_t errlen) {
    *out = NULL;
    *out_len = 0;
    *status = 0;
    /* stdin is a socket so a plugin that exits early costs EPIPE (MSG_NOSIGNAL), never SIGPIPE. */
    int in[2], outp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) { int e = errno; snprintf(err, errlen, "socketpair: %s", strerror(e)); return -e; }
    if (pipe2(outp, O_CLOEXEC) != 0) { int e = errno; close(in[0]); close(in[1]); snprintf(err, errlen, "pipe: %s", strerror(e)); return -e; }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[1], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    /* stderr goes where the agent's goes: plugins log there. */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, deflt;
    sigemptyset(&none);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &deflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, &at, (char *const *)argv, (char *const *)envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(in[1]);
    close(outp[1]);
    if (rc != 0) {
        close(in[0]);
        close(outp[0]);
        snprintf(err, errlen, "starting %s: %s", path, strerror(rc));
        return -rc;
    }
    fcntl(in[0], F_SETFL, O_NONBLOCK);
    size_t written = 0;
    if (input_len == 0) { shutdown(in[0], SHUT_WR); }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int killed = 0, result = 0;
    long long deadline = now_ms() + timeout_ms;
    int out_open = 1, in_open = input_len > 0;
    while (out_open && buf) {
        struct pollfd p[2];
        int n = 0;
        p[n++] = (struct pollfd){.fd = outp[0], .events = POLLIN};
        if (in_open) p[n++] = (struct pollfd){.fd = in[0], .events = POLLOUT};
        long long left = deadline - now_ms();
        if (left <= 0 && !killed) { kill(pid, SIGKILL); killed = 1; }
        int r = poll(p, n, killed ? 1000 : (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno != EINTR) break;
        if (in_open && n > 1 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = send(in[0], input + written, input_len - written, MSG_NOSIGNAL);
            if (w > 0) written += (size_t)w;
            if (w < 0 && errno != EAGAIN && errno != EINTR) in_open = 0;
            if (written == input_len) in_open = 0;
            if (!in_open) shutdown(in[0], SHUT_WR);
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (len + 4096 > cap) {
                if (cap >= MAX_OUTPUT) { kill(pid, SIGKILL); killed = 1; len = 0; }
                else { cap *= 2; char *nb = realloc(buf, cap); if (!nb) break; buf = nb; }
            }
            ssize_t got = read(outp[0], buf + len, cap - len);
            if (got > 0) len += (size_t)got;
            else if (got == 0 || (errno != EINTR && errno != EAGAIN)) out_open = 0;
        }
    }
    close(in[0]);
    close(outp[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!buf) { snprintf(err, errlen, "out of memory reading %s", path); return -ENOMEM; }
    if (killed) {
        free(buf);
        snprintf(err, errlen, "%s did not finish within %d ms and was killed", path, timeout_ms);
        return -ETIMEDOUT;
    }
    *status = st;
    *out = buf;
    *out_len = len;
    return result;
}
