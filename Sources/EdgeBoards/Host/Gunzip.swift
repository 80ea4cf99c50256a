import CZlib

/// Inflates a small gzip file in memory (/proc/config.gz, about 30 KB packed), with a cap so a
/// hostile or corrupt input cannot grow without bound.
enum Gunzip {
    static func inflate(_ input: [UInt8], limit: Int = 8 << 20) -> [UInt8]? {
        var z = z_stream()
        guard edge_inflate_init(&z) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var source = input
        return source.withUnsafeMutableBufferPointer { src -> [UInt8]? in
            z.next_in = src.baseAddress
            z.avail_in = UInt32(src.count)
            while true {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    z.next_out = dst.baseAddress
                    z.avail_out = UInt32(dst.count)
                    let rc = CZlib.inflate(&z, Z_NO_FLUSH)
                    return (rc, dst.count - Int(z.avail_out))
                }
                out += chunk[0..<produced]
                if out.count > limit { return nil }
                if rc == Z_STREAM_END { return out }
                if rc != Z_OK || (produced == 0 && z.avail_in == 0) { return nil }
            }
        }
    }
}
