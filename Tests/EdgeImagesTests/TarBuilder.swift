/// Builds tar archives byte by byte for tests, including the extensions real
/// layers use (pax records, GNU long names, base-256 numbers).
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    enum Kind: UInt8 {
        case file = 0x30, hardLink = 0x31, symlink = 0x32, char = 0x33, block = 0x34, directory = 0x35, fifo = 0x36
        case pax = 0x78, gnuLongName = 0x4C
    }

    mutating func file(_ name: String, _ content: String, mode: Int = 0o644, uid: Int = 0, gid: Int = 0, mtime: Int = 1_000_000) {
        entry(name, .file, data: Array(content.utf8), mode: mode, uid: uid, gid: gid, mtime: mtime)
    }

    mutating func directory(_ name: String, mode: Int = 0o755, mtime: Int = 1_000_000) {
        entry(name, .directory, mode: mode, mtime: mtime)
    }

    mutating func symlink(_ name: String, to target: String) { entry(name, .symlink, link: target, mode: 0o777) }
    mutating func hardLink(_ name: String, to target: String) { entry(name, .hardLink, link: target) }

    /// A pax header carrying `records`, then the entry it describes.
    mutating func paxEntry(_ records: [(String, String)], name: String, _ kind: Kind, data: [UInt8] = [], link: String = "") {
        var body: [UInt8] = []
        for (k, v) in records {
            let tail = " \(k)=\(v)\n"
            var length = tail.utf8.count + 1
            while String(length).utf8.count + tail.utf8.count != length { length += 1 }
            body += Array((String(length) + tail).utf8)
        }
        entry("PaxHeaders/x", .pax, data: body)
        entry(name, kind, data: data, link: link)
    }

    /// GNU tar's long-name entry ('L') before a file whose header name is truncated.
    mutating func gnuLongFile(_ name: String, _ content: String) {
        entry("././@LongLink", .gnuLongName, data: Array(name.utf8) + [0])
        entry(String(name.prefix(100)), .file, data: Array(content.utf8))
    }

    mutating func entry(_ name: String, _ kind: Kind, data: [UInt8] = [], link: String = "", mode: Int = 0o644,
                        uid: Int = 0, gid: Int = 0, mtime: Int = 1_000_000, major: Int = 0, minor: Int = 0, base256Size: Bool = false) {
        var h = [UInt8](repeating: 0, count: 512)
        put(&h, 0, 100, Array(name.utf8.prefix(100)))
        octal(&h, 100, 8, mode)
        octal(&h, 108, 8, uid)
        octal(&h, 116, 8, gid)
        if base256Size {
            h[124] = 0x80
            var n = data.count
            for i in stride(from: 135, to: 124, by: -1) { h[i] = UInt8(n & 0xff); n >>= 8 }
        } else {
            octal(&h, 124, 12, data.count)
        }
        octal(&h, 136, 12, mtime)
        h[156] = kind.rawValue
        put(&h, 157, 100, Array(link.utf8.prefix(100)))
        put(&h, 257, 6, Array("ustar\0".utf8))
        put(&h, 263, 2, Array("00".utf8))
        octal(&h, 329, 8, major)
        octal(&h, 337, 8, minor)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        octal(&h, 148, 7, sum)
        bytes += h
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// The two zero blocks that end an archive.
    mutating func finish() { bytes += [UInt8](repeating: 0, count: 1024) }

    private func put(_ h: inout [UInt8], _ offset: Int, _ length: Int, _ value: [UInt8]) {
        for (i, b) in value.prefix(length).enumerated() { h[offset + i] = b }
    }

    private func octal(_ h: inout [UInt8], _ offset: Int, _ length: Int, _ value: Int) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: 0x30, count: max(0, length - 1 - digits.count)) + digits
        put(&h, offset, length - 1, padded)
        h[offset + length - 1] = 0
    }
}
