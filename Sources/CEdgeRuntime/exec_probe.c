/* Can this machine run the agent's own binary as a new process? Every container starts by
 * executing it as its supervisor (edgectl shim), so an agent checks once at start. It
 * fails, for example, for an agent emulated by qemu-user on a machine without a
 * binfmt_misc handler for its architecture (the kernel answers "Exec format error"),
 * or for a binary on a noexec mount. */
#include "edge_runtime.h"
#include "fork_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int edge_exec_probe(const char *exe, const char *const *argv, char *err, size_t errlen) {
    int p[2];
    pid_t child = edge_fork_with_report(p, err, errlen);
    if (child < 0) return -1;
    if (child == 0) {
        /* Only async-signal-safe calls: the parent has other threads. */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); }
        execv(exe, (char *const *)argv);
        int e = errno;
        if (write(p[1], &e, sizeof e) != sizeof e) _exit(126);
        _exit(127);
    }
    close(p[1]);
    int e = 0;
    ssize_t n;
    while ((n = read(p[0], &e, sizeof e)) < 0 && errno == EINTR) {}
    close(p[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (n == sizeof e) { snprintf(err, errlen, "executing %s failed: %s", exe, strerror(e)); return -1; }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "%s %s exited with status %d", exe, argv[1] ? argv[1] : "",
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return -1;
    }
    return 0;
}
