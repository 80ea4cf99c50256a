#include "process_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's highest capability number: /proc/sys/kernel/cap_last_cap, else probed with PR_CAPBSET_READ. */
static int cap_last_cap(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[16];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            int v = 0, digits = 0;
            for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++, digits++) v = v * 10 + (buf[i] - '0');
            if (digits > 0 && v < 64) return v;
        }
    }
    int cap = 0;
    while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
    return cap;
}

/* The permitted set this process holds (what capset may grant at most). */
static uint64_t held_capabilities(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0) return 0;
    return ((uint64_t)d[1].permitted << 32) | d[0].permitted;
}

uint64_t edge_host_capabilities(void) {
    uint64_t mask = 0;
    int last = cap_last_cap();
    for (int cap = 0; cap <= last; cap++) if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) mask |= 1ULL << cap;
    return mask & held_capabilities();
}

int edge_set_identity(uint32_t uid, uint32_t gid, const uint32_t *groups, int ngroups, uint64_t capabilities,
                      char *what, size_t len) {
    /* A capability this process does not hold cannot be granted: name it instead of a bare "capset failed". */
    uint64_t missing = capabilities & ~held_capabilities();
    if (missing) {
        int n = snprintf(what, len, "capabilities not in this host's bounding set:");
        for (int cap = 0; cap < 64 && n > 0 && (size_t)n < len; cap++)
            if (missing & (1ULL << cap)) n += snprintf(what + n, len - (size_t)n, " %d", cap);
        errno = EPERM;
        return -1;
    }
    /* The bounding set first, while CAP_SETPCAP is still held. */
    for (int cap = 0; cap <= 63; cap++) {
        if (capabilities & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) { snprintf(what, len, "failed to drop capability %d", cap); return -1; }
    }
    /* Keep permitted capabilities across the uid change, then set the final sets. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) { snprintf(what, len, "PR_SET_KEEPCAPS failed"); return -1; }
    gid_t list[64];
    int n = ngroups > 64 ? 64 : ngroups;
    for (int i = 0; i < n; i++) list[i] = groups[i];
    /* Raw system calls, not glibc's wrappers: those broadcast the change to every thread glibc
     * believes exists, and a child cloned from a multi-threaded process (the shim, the agent) inherits
     * that stale thread list and possibly a lock another thread held at clone time, so it could wait
     * forever. This process has one thread; the kernel call is all it needs. */
    if (syscall(SYS_setgroups, (size_t)n, list) != 0) { snprintf(what, len, "setgroups failed"); return -1; }
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) { snprintf(what, len, "setgid %u failed", gid); return -1; }
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) { snprintf(what, len, "setuid %u failed", uid); return -1; }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) { snprintf(what, len, "PR_SET_KEEPCAPS failed"); return -1; }
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    uint32_t lo = (uint32_t)capabilities, hi = (uint32_t)(capabilities >> 32);
    /* Inheritable stays empty (CVE-2022-24769): with it, a non-root process could gain capabilities by
     * executing a file that carries them in its inheritable set, beyond what the container was given. */
    d[0].effective = d[0].permitted = lo;
    d[1].effective = d[1].permitted = hi;
    d[0].inheritable = d[1].inheritable = 0;
    if (syscall(SYS_capset, &h, d) != 0) { snprintf(what, len, "capset failed"); return -1; }
    /* Nothing ambient either (it needs inheritable, but the caller's may not be empty). */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        snprintf(what, len, "failed to clear the ambient capabilities");
        return -1;
    }
    return 0;
}

int edge_reset_signals(char *what, size_t len) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) { snprintf(what, len, "failed to reset the signal mask"); return -1; }
    return 0;
}

int edge_exec_in_path(const char *const *argv, const char *const *envp, char *what, size_t len) {
    const char *file = argv[0];
    if (strchr(file, '/')) {
        execve(file, (char *const *)argv, (char *const *)envp);
        snprintf(what, len, "failed to exec %s", file);
        return -1;
    }
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *const *e = envp; e && *e; e++) if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    char candidate[4096];
    int last = ENOENT;
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)n, n ? p : ".", file);
        execve(candidate, (char *const *)argv, (char *const *)envp);
        if (errno != ENOENT) last = errno;
        if (!colon) break;
        p = colon + 1;
    }
    errno = last;
    snprintf(what, len, "executable %s not found in PATH %s", file, path);
    return -1;
}
