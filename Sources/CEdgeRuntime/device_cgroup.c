/* The device allow-list every unprivileged container gets, as runc and crun
 * default to: the standard character devices and pseudo-terminals, nothing
 * else: no block device (the host's disks and loop devices), no /dev/mem, no
 * mknod of anything outside the list. cgroup v1 enforces it through the
 * devices controller (deny all, then allow each); cgroup v2 has no such
 * controller, so an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE is
 * attached to the container's cgroup, built here instruction by instruction
 * and loaded with the raw bpf(2) system call (no library). */
#include "cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct device_rule {
    unsigned major;
    int minor; /* -1: any */
    const char *what;
};

/* Character devices only; rwm each (read, write, mknod). */
static const struct device_rule allowed[] = {
    {1, 3, "null"}, {1, 5, "zero"}, {1, 7, "full"}, {1, 8, "random"}, {1, 9, "urandom"},
    {5, 0, "tty"}, {5, 1, "console"}, {5, 2, "ptmx"}, {136, -1, "pts"},
};
#define NALLOWED (sizeof allowed / sizeof allowed[0])

int edge_devices_v1_apply(const char *dir, char *err, size_t errlen) {
    char path[4096], rule[64];
    snprintf(path, sizeof path, "%s/devices.deny", dir);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "a\n", 2) != 2) {
        snprintf(err, errlen, "failed to deny devices in %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    snprintf(path, sizeof path, "%s/devices.allow", dir);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "failed to open %s: %s", path, strerror(errno)); return -1; }
    /* One rule per write: the kernel parses each write as one entry. */
    for (size_t i = 0; i < NALLOWED; i++) {
        int n = allowed[i].minor < 0 ? snprintf(rule, sizeof rule, "c %u:* rwm\n", allowed[i].major)
                                     : snprintf(rule, sizeof rule, "c %u:%d rwm\n", allowed[i].major, allowed[i].minor);
        if (write(fd, rule, (size_t)n) != n) {
            snprintf(err, errlen, "failed to allow /dev/%s in %s: %s", allowed[i].what, path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    return 0;
}

/* ---- cgroup v2: the same list as a BPF_PROG_TYPE_CGROUP_DEVICE program ---- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    struct bpf_insn i;
    memset(&i, 0, sizeof i);
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

/* r1 is the context, struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }.
 * r2 = type, r4 = major, r5 = minor; for each rule: type, major and (unless any) minor equal -> return 1;
 * otherwise return 0. Returns the instruction count. */
size_t edge_devices_program(struct bpf_insn *out, size_t max) {
    size_t n = 0;
#define EMIT(i) do { if (n < max) out[n] = (i); n++; } while (0)
    EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
    EMIT(insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
    EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
    EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
    for (size_t r = 0; r < NALLOWED; r++) {
        int any = allowed[r].minor < 0;
        /* Each test jumps past the rest of this rule: the remaining tests, the move and the exit. */
        int16_t left = any ? 3 : 4;
        EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, left--, BPF_DEVCG_DEV_CHAR));
        EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, left--, (int32_t)allowed[r].major));
        if (!any) EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, left--, allowed[r].minor));
        EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
        EMIT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    }
    EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
    EMIT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
#undef EMIT
    return n;
}

int edge_devices_v2_attach(const char *dir, char *err, size_t errlen) {
    struct bpf_insn prog[128];
    size_t count = edge_devices_program(prog, sizeof prog / sizeof prog[0]);
    char log[4096];
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)prog;
    attr.insn_cnt = (uint32_t)count;
    attr.license = (uint64_t)(uintptr_t)"none"; /* no GPL-only helper is called */
    int progfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    if (progfd < 0) {
        int e = errno;
        /* Again with the verifier's log, for the message only. */
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        log[0] = 0;
        int again = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
        if (again >= 0) close(again);
        snprintf(err, errlen, "failed to load the device cgroup program: %s%s%.200s", strerror(e), log[0] ? ": " : "", log);
        return -1;
    }
    int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0) {
        snprintf(err, errlen, "failed to open cgroup %s: %s", dir, strerror(errno));
        close(progfd);
        return -1;
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)cgfd;
    attr.attach_bpf_fd = (uint32_t)progfd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    /* As runc: programs of ancestors (systemd's) keep running too, and all must allow. */
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    int rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr);
    int e = errno;
    close(cgfd);
    /* The attachment holds the program; it goes when the cgroup is removed. */
    close(progfd);
    if (rc != 0) {
        snprintf(err, errlen, "failed to attach the device cgroup program to %s: %s", dir, strerror(e));
        return -1;
    }
    return 0;
}
