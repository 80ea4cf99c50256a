#include "fork_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

pid_t edge_fork_with_report(int p[2], char *err, size_t errlen) {
    if (pipe2(p, O_CLOEXEC) != 0) { snprintf(err, errlen, "pipe: %s", strerror(errno)); return -1; }
    pid_t child = fork();
    if (child < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(p[0]); close(p[1]);
        return -1;
    }
    return child;
}
