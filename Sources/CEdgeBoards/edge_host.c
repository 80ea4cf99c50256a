#include "edge_host.h"

#include <stddef.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <unistd.h>

int edge_clock_synchronized(void) {
    struct timex t = {0};
    int state = adjtimex(&t);
    if (state < 0) return -1;
    return state != TIME_ERROR && !(t.status & STA_UNSYNC);
}

int64_t edge_block_device_size(int fd) {
    uint64_t size = 0;
    if (ioctl(fd, BLKGETSIZE64, &size) != 0) return -1;
    return size > INT64_MAX ? -1 : (int64_t)size;
}

int edge_block_device_flush(int fd) {
    if (fsync(fd) != 0) return -1;
    return ioctl(fd, BLKFLSBUF, 0);
}

extern char **environ;

char **edge_environment(void) { return environ; }
