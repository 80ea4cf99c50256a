#include <zlib.h>
// Swift's Glibc module leaves out <sys/xattr.h>; layer unpacking needs fsetxattr
// (overlayfs opaque directories, file capabilities), so it rides along here.
#include <sys/xattr.h>

// inflateInit2 is a macro Swift cannot call; windowBits 15 + 32 accepts gzip and zlib headers.
static inline int edge_inflate_init(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
