/* Pod network namespaces. Namespace changes are per thread, so each one is
 * made or entered on a short-lived thread of its own: no thread of the agent's
 * runtime is ever left inside a pod's namespace. */
#include "edge_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

struct netns_job {
    const char *path;
    int netns_fd, domain, type;
    int result;
    char msg[256];
};

static void *create_thread(void *arg) {
    struct netns_job *j = arg;
    j->result = -1;
    if (unshare(CLONE_NEWNET) != 0) { snprintf(j->msg, sizeof j->msg, "unshare(CLONE_NEWNET): %s", strerror(errno)); return NULL; }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) { snprintf(j->msg, sizeof j->msg, "loopback flags: %s", strerror(errno)); if (s >= 0) close(s); return NULL; }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) { snprintf(j->msg, sizeof j->msg, "bringing loopback up: %s", strerror(errno)); close(s); return NULL; }
    close(s);
    int fd = open(j->path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0) { snprintf(j->msg, sizeof j->msg, "creating %s: %s", j->path, strerror(errno)); return NULL; }
    close(fd);
    if (mount("/proc/thread-self/ns/net", j->path, "none", MS_BIND, NULL) != 0) {
        snprintf(j->msg, sizeof j->msg, "bind-mounting the namespace on %s: %s", j->path, strerror(errno));
        return NULL;
    }
    j->result = 0;
    return NULL;
}

static void *socket_thread(void *arg) {
    struct netns_job *j = arg;
    j->result = -1;
    if (setns(j->netns_fd, CLONE_NEWNET) != 0) return NULL;
    j->result = socket(j->domain, j->type | SOCK_CLOEXEC, 0);
    return NULL;
}

static int run_on_thread(void *(*fn)(void *), struct netns_job *j) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, j) != 0) { snprintf(j->msg, sizeof j->msg, "pthread_create failed"); return -1; }
    pthread_join(t, NULL);
    return j->result;
}

int edge_netns_create(const char *path, char *err, size_t errlen) {
    struct netns_job j = {.path = path, .result = -1};
    j.msg[0] = 0;
    umount2(path, MNT_DETACH); /* a namespace left by an earlier attempt */
    if (run_on_thread(create_thread, &j) != 0) { snprintf(err, errlen, "failed to create a network namespace: %s", j.msg); return -1; }
    return 0;
}

int edge_netns_remove(const char *path) {
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) return -1;
    return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int edge_netns_socket(int netns_fd, int domain, int type) {
    struct netns_job j = {.netns_fd = netns_fd, .domain = domain, .type = type, .result = -1};
    return run_on_thread(socket_thread, &j);
}

int edge_netns_exists(const char *path) {
    struct statfs st;
    return statfs(path, &st) == 0 && st.f_type == 0x6e736673 /* NSFS_MAGIC */;
}
