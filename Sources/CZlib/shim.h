#include <zlib.h>
// Swift's Glibc module leaves out <sys/xattr.h>; layer unpacking needs fsetxattr
// (overlayfs opaque directories, file capabilities), so it rides along here.
#include <sys/xattr.h>

// inflateInit2 is a macro Swift cannot call; windowBits 15 + 32 accepts gzip and zlib headers.
static inline int edge_inflate_init(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

// Raw deflate streams (no zlib header or checksum: the store keeps the inflated length itself); deflate
// with a 4 KiB window and little memory (the store packs values of at most 1 KiB), inflate accepting any
// window. deflateInit2 and inflateInit2 are macros Swift cannot call.
static inline int edge_raw_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -12, 4, Z_DEFAULT_STRATEGY);
}

static inline int edge_raw_inflate_init(z_stream *stream) {
    return inflateInit2(stream, -15);
}
