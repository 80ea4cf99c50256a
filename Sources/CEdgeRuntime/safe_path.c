/* Opening a path inside a directory without leaving it, one component at a
 * time relative to directory descriptors, never following a symlink with the
 * kernel's help: each link is read and resolved here against the directory
 * the walk is confined to. Used for every mount target inside a container's
 * root (runc's securejoin rule: the root acts as "/") and for a volume's
 * subPath (kubelet's rule: nothing may lead out of the volume). Works on any
 * kernel (no openat2), allocates nothing and uses only system calls, so the
 * container's child may call it after clone(). */
#include "edge_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EDGE_SAFE_MAX_DEPTH 128
#define EDGE_SAFE_MAX_LINKS 40
#define EDGE_SAFE_PATH_MAX 4096

static void close_all(int *stack, int depth) {
    for (int i = 0; i < depth; i++) close(stack[i]);
}

/* The next component of *p (slashes skipped), NUL-terminated in place; NULL at the end. */
static char *next_component(char **p) {
    char *s = *p;
    while (*s == '/') s++;
    if (!*s) { *p = s; return NULL; }
    char *e = s;
    while (*e && *e != '/') e++;
    if (*e) { *e = 0; e++; }
    *p = e;
    return s;
}

static int only_slashes(const char *s) {
    while (*s == '/') s++;
    return *s == 0;
}

/* Missing component `name` in dirfd, made as the caller asked: a directory, or (last only) an empty file. */
static int create_component(int dirfd, const char *name, int last, int mode, mode_t perm) {
    if (last && mode == EDGE_SAFE_CREATE_FILE) {
        int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, perm & 0666);
        if (fd < 0) return errno == EEXIST ? 0 : -1;
        close(fd);
        return 0;
    }
    if (mkdirat(dirfd, name, perm) != 0) return errno == EEXIST ? 0 : -1;
    /* The mode asked for, not the umask's (an emptyDir's subPath is 0777 like the volume, as kubelet makes it);
     * through a descriptor that is certainly the new directory, not a symlink put in its place since. */
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        fchmod(fd, perm);
        close(fd);
    }
    return 0;
}

int edge_safe_open(int rootfd, const char *path, int flags, int create, mode_t perm) {
    char rest[EDGE_SAFE_PATH_MAX], spliced[EDGE_SAFE_PATH_MAX], link[EDGE_SAFE_PATH_MAX];
    int stack[EDGE_SAFE_MAX_DEPTH];
    int depth = 0, links = 0;
    size_t len = strlen(path);
    if (len >= sizeof rest) { errno = ENAMETOOLONG; return -1; }
    if ((flags & EDGE_SAFE_BENEATH) && path[0] == '/') { errno = EXDEV; return -1; }
    memcpy(rest, path, len + 1);
    char *p = rest;
    char *name;
    while ((name = next_component(&p)) != NULL) {
        int last = only_slashes(p);
        if (strcmp(name, ".") == 0) continue;
        if (strcmp(name, "..") == 0) {
            if (depth == 0) {
                /* Above the top: as chroot's "/..", or refused where the path must stay beneath. */
                if (flags & EDGE_SAFE_BENEATH) { errno = EXDEV; return -1; }
                continue;
            }
            close(stack[--depth]);
            continue;
        }
        int dirfd = depth ? stack[depth - 1] : rootfd;
        int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create != EDGE_SAFE_CREATE_NONE) {
            if (create_component(dirfd, name, last, create, perm) != 0) { int e = errno; close_all(stack, depth); errno = e; return -1; }
            fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) { int e = errno; close_all(stack, depth); errno = e; return -1; }
        struct stat st;
        if (fstat(fd, &st) != 0) { int e = errno; close(fd); close_all(stack, depth); errno = e; return -1; }
        if (S_ISLNK(st.st_mode)) {
            /* Read the link and walk its text in place of the component, against our own root. */
            ssize_t n = readlinkat(fd, "", link, sizeof link - 1);
            int e = errno;
            close(fd);
            if (n < 0) { close_all(stack, depth); errno = e; return -1; }
            if (n == 0 || ++links > EDGE_SAFE_MAX_LINKS) { close_all(stack, depth); errno = n == 0 ? ENOENT : ELOOP; return -1; }
            link[n] = 0;
            if (link[0] == '/') {
                if (flags & EDGE_SAFE_BENEATH) { close_all(stack, depth); errno = EXDEV; return -1; }
                close_all(stack, depth);
                depth = 0;
            }
            size_t restlen = strlen(p);
            if ((size_t)n + 1 + restlen >= sizeof spliced) { close_all(stack, depth); errno = ENAMETOOLONG; return -1; }
            memcpy(spliced, link, (size_t)n);
            spliced[n] = '/';
            memcpy(spliced + n + 1, p, restlen + 1);
            memcpy(rest, spliced, (size_t)n + 1 + restlen + 1);
            p = rest;
            continue;
        }
        if (!last && !S_ISDIR(st.st_mode)) { close(fd); close_all(stack, depth); errno = ENOTDIR; return -1; }
        if (depth == EDGE_SAFE_MAX_DEPTH) { close(fd); close_all(stack, depth); errno = ENAMETOOLONG; return -1; }
        stack[depth++] = fd;
    }
    if (depth == 0) return fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    int result = stack[--depth];
    close_all(stack, depth);
    return result;
}

void edge_fd_path(char *out, size_t len, int fd) {
    /* Built by hand: snprintf is not async-signal-safe, and the container's child calls this. */
    static const char prefix[] = "/proc/self/fd/";
    char digits[16];
    int n = 0;
    unsigned v = (unsigned)fd;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v && n < (int)sizeof digits);
    size_t need = sizeof prefix - 1 + (size_t)n + 1;
    if (len < need) { if (len) out[0] = 0; return; }
    memcpy(out, prefix, sizeof prefix - 1);
    for (int i = 0; i < n; i++) out[sizeof prefix - 1 + i] = digits[n - 1 - i];
    out[need - 1] = 0;
}
