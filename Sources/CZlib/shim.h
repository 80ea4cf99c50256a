#include <zlib.h>
// Swift's Glibc module leaves out <sys/xattr.h>; layer unpacking needs fsetxattr
// (overlayfs opaque directories, file capabilities), so it rides along here.
#include <sys/xattr.h>

// inflateInit2 is a macro Swift cannot call; windowBits 15 + 32 accepts gzip and zlib headers.
static inline int edge_inflate_init(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

// Raw deflate streams (no zlib header or checksum: the store keeps its own length, and SQLite its own
// page checksums are the WAL's); deflateInit2 and inflateInit2 are macros Swift cannot call.
static inline int edge_raw_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
}

static inline int edge_raw_inflate_init(z_stream *stream) {
    return inflateInit2(stream, -15);
}
