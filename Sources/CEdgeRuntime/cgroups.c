/* cgroup managers as a table of functions, one for the v1 hierarchies
 * (memory, cpu, pids, devices mounted apart) and one for the unified v2 tree. */
#include "cgroups.h"
#include "edge_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define EDGE_CGROUP_ROOT "/sys/fs/cgroup"

const char *const edge_v1_controllers[] = {"memory", "cpu", "pids", "devices", NULL};

int edge_cgroup_v2(void) {
    struct statfs s;
    return statfs(EDGE_CGROUP_ROOT, &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

static int mkdirs(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const char *value, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "failed to open %s: %s", path, strerror(errno)); return -1; }
    ssize_t n = write(fd, value, strlen(value));
    int e = errno;
    close(fd);
    if (n < 0) { snprintf(err, errlen, "failed to write %s to %s: %s", value, path, strerror(e)); return -1; }
    return 0;
}

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* The devices hierarchy is what keeps an unprivileged container off the host's disks; a host that has the
 * controller but never mounted it (it is not one systemd needs) gets it mounted where the others are.
 * 0 when it is there (now), -1 with errno when it is not and cannot be. */
static int v1_ensure_devices(const char *root, const char *dir) {
    struct statfs s;
    if (strcmp(root, EDGE_CGROUP_ROOT) != 0) { /* a fake hierarchy in tests: report, do not mount */
        if (access(dir, F_OK) == 0) return 0;
        errno = ENOENT;
        return -1;
    }
    if (statfs(dir, &s) == 0 && s.f_type == CGROUP_SUPER_MAGIC) return 0;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
    if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "devices") != 0) {
        int e = errno;
        rmdir(dir);
        errno = e;
        return -1;
    }
    return 0;
}

static int v1_apply(const char *root, const char *cgroup, const struct edge_cgroup_limits *l, pid_t pid, char *err, size_t errlen) {
    char dir[4096], v[64];
    for (const char *const *c = edge_v1_controllers; *c; c++) {
        /* Without the controller's hierarchy, mkdir would only say ENOENT; name the cause instead
         * (seen when the process got a fresh /sys, as `ip netns exec` gives its command). */
        snprintf(dir, sizeof dir, "%s/%s", root, *c);
        if (strcmp(*c, "devices") == 0 && v1_ensure_devices(root, dir) != 0) {
            snprintf(err, errlen, "cgroup v1 controller devices is not mounted at %s and mounting it failed (%s): without it "
                     "a container could open any device of the host; mount it (mount -t cgroup -o devices cgroup %s)",
                     dir, strerror(errno), dir);
            return -1;
        }
        if (access(dir, F_OK) != 0) {
            snprintf(err, errlen, "cgroup v1 controller %s is not mounted at %s: run the agent in the host's mount namespace, "
                     "with the cgroup hierarchies mounted", *c, dir);
            return -1;
        }
        snprintf(dir, sizeof dir, "%s/%s/%s", root, *c, cgroup);
        if (access(dir, F_OK) != 0 && mkdirs(dir) != 0) { snprintf(err, errlen, "failed to create cgroup %s: %s", dir, strerror(errno)); return -1; }
        if (strcmp(*c, "memory") == 0 && l->memory_bytes > 0) {
            snprintf(v, sizeof v, "%lld", (long long)l->memory_bytes);
            if (write_file(dir, "memory.limit_in_bytes", v, err, errlen)) return -1;
        }
        if (strcmp(*c, "cpu") == 0) {
            if (l->cpu_quota_us > 0) {
                snprintf(v, sizeof v, "%lld", (long long)(l->cpu_period_us > 0 ? l->cpu_period_us : 100000));
                if (write_file(dir, "cpu.cfs_period_us", v, err, errlen)) return -1;
                snprintf(v, sizeof v, "%lld", (long long)l->cpu_quota_us);
                if (write_file(dir, "cpu.cfs_quota_us", v, err, errlen)) return -1;
            }
            if (l->cpu_shares > 0) {
                snprintf(v, sizeof v, "%lld", (long long)l->cpu_shares);
                if (write_file(dir, "cpu.shares", v, err, errlen)) return -1;
            }
        }
        if (strcmp(*c, "pids") == 0 && l->pids > 0) {
            snprintf(v, sizeof v, "%lld", (long long)l->pids);
            if (write_file(dir, "pids.max", v, err, errlen)) return -1;
        }
        if (strcmp(*c, "devices") == 0 && !l->all_devices && edge_devices_v1_apply(dir, err, errlen) != 0) return -1;
        snprintf(v, sizeof v, "%d", (int)pid);
        if (write_file(dir, "cgroup.procs", v, err, errlen)) return -1;
    }
    return 0;
}

/* v2: controllers must be enabled in every ancestor's subtree_control. */
static int v2_apply(const char *root, const char *cgroup, const struct edge_cgroup_limits *l, pid_t pid, char *err, size_t errlen) {
    char dir[4096], v[64];
    snprintf(dir, sizeof dir, "%s/%s", root, cgroup);
    if (mkdirs(dir) != 0) { snprintf(err, errlen, "failed to create cgroup %s: %s", dir, strerror(errno)); return -1; }
    char walk[4096];
    snprintf(walk, sizeof walk, "%s", root);
    const char *rest = cgroup;
    while (*rest) {
        char discard[256];
        /* Best effort: a controller the kernel lacks is skipped, its limit then fails below with a clear message. */
        write_file(walk, "cgroup.subtree_control", "+memory +cpu +pids", discard, sizeof discard);
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        size_t len = strlen(walk);
        snprintf(walk + len, sizeof walk - len, "/%.*s", (int)n, rest);
        if (!slash) break;
        rest = slash + 1;
    }
    if (l->memory_bytes > 0) {
        snprintf(v, sizeof v, "%lld", (long long)l->memory_bytes);
        if (write_file(dir, "memory.max", v, err, errlen)) return -1;
    }
    if (l->cpu_quota_us > 0) {
        snprintf(v, sizeof v, "%lld %lld", (long long)l->cpu_quota_us, (long long)(l->cpu_period_us > 0 ? l->cpu_period_us : 100000));
        if (write_file(dir, "cpu.max", v, err, errlen)) return -1;
    }
    if (l->cpu_shares > 0) {
        /* The conversion the OCI runtimes use from shares (2-262144) to weight (1-10000). */
        snprintf(v, sizeof v, "%lld", (long long)(1 + ((l->cpu_shares - 2) * 9999) / 262142));
        if (write_file(dir, "cpu.weight", v, err, errlen)) return -1;
    }
    if (l->pids > 0) {
        snprintf(v, sizeof v, "%lld", (long long)l->pids);
        if (write_file(dir, "pids.max", v, err, errlen)) return -1;
    }
    /* Attached before the process moves in, so it never runs unrestricted. */
    if (!l->all_devices && edge_devices_v2_attach(dir, err, errlen) != 0) return -1;
    snprintf(v, sizeof v, "%d", (int)pid);
    return write_file(dir, "cgroup.procs", v, err, errlen);
}

int edge_cgroup_apply_at(const char *root, int v2, const char *cgroup, const struct edge_cgroup_limits *limits, pid_t pid, char *err,
                         size_t errlen) {
    return v2 ? v2_apply(root, cgroup, limits, pid, err, errlen) : v1_apply(root, cgroup, limits, pid, err, errlen);
}

int edge_cgroup_apply(const char *cgroup, const struct edge_cgroup_limits *limits, pid_t pid, char *err, size_t errlen) {
    return edge_cgroup_apply_at(EDGE_CGROUP_ROOT, edge_cgroup_v2(), cgroup, limits, pid, err, errlen);
}

void edge_cgroup_remove_at(const char *root, int v2, const char *cgroup) {
    char dir[4096];
    if (v2) {
        snprintf(dir, sizeof dir, "%s/%s", root, cgroup);
        rmdir(dir);
        return;
    }
    for (const char *const *c = edge_v1_controllers; *c; c++) {
        snprintf(dir, sizeof dir, "%s/%s/%s", root, *c, cgroup);
        rmdir(dir);
    }
}

void edge_cgroup_remove(const char *cgroup) { edge_cgroup_remove_at(EDGE_CGROUP_ROOT, edge_cgroup_v2(), cgroup); }

int64_t edge_cgroup_oom_kills_at(const char *root, int v2, const char *cgroup) {
    char path[4096], buf[4096];
    if (v2) snprintf(path, sizeof path, "%s/%s/memory.events", root, cgroup);
    else snprintf(path, sizeof path, "%s/memory/%s/memory.oom_control", root, cgroup);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strstr(buf, "oom_kill ");
    return p ? (int64_t)strtoll(p + 9, NULL, 10) : 0;
}

int64_t edge_cgroup_oom_kills(const char *cgroup) { return edge_cgroup_oom_kills_at(EDGE_CGROUP_ROOT, edge_cgroup_v2(), cgroup); }
