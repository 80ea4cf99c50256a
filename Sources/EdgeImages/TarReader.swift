/// Streams a tar archive: ustar headers, pax extended headers (long paths,
/// link targets, sizes, fractional mtimes, xattrs) and GNU long names, with
/// base-256 numbers for big sizes and ids. It never seeks, so it reads straight
/// from a gzip stream.
final class TarReader {
    private let source: ByteStream
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// Content bytes of the current entry not yet read, then the padding to the next block.
    private var contentLeft: Int64 = 0
    private var paddingLeft: Int64 = 0
    private var finished = false

    init(_ source: ByteStream) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: 65536)
    }

    /// The next entry, or nil at the end of the archive.
    func next() throws -> TarEntry? {
        guard !finished else { return nil }
        try skip(contentLeft + paddingLeft)
        contentLeft = 0
        paddingLeft = 0
        var pax: [String: String] = [:]
        var longName: String?
        var longLink: String?
        while true {
            guard let header = try readBlock() else {
                // Some writers omit the end-of-archive blocks; a clean end between members is fine.
                finished = true
                return nil
            }
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                return nil
            }
            try verifyChecksum(header)
            let type = header[156]
            let size = try Self.number(header, 124, 12)
            switch type {
            case UInt8(ascii: "x"):
                pax.merge(try parsePax(try readPayload(size)), uniquingKeysWith: { $1 })
                continue
            case UInt8(ascii: "g"):
                // Global pax headers carry archive-wide defaults (usually just a comment); none matter for unpacking.
                _ = try readPayload(size)
                continue
            case UInt8(ascii: "L"):
                longName = Self.cString(try readPayload(size))
                continue
            case UInt8(ascii: "K"):
                longLink = Self.cString(try readPayload(size))
                continue
            default:
                break
            }
            var entry = try entry(from: header, type: type, size: size)
            if let longName { entry.path = longName }
            if let longLink { entry.linkName = longLink }
            try apply(pax, to: &entry)
            // Only regular files have content to hand out; anything else that declares data has it skipped.
            let declared = entry.size
            if entry.kind == .file {
                contentLeft = declared
                paddingLeft = (512 - declared % 512) % 512
            } else {
                entry.size = 0
                paddingLeft = (declared + 511) / 512 * 512
            }
            return entry
        }
    }

    /// Reads the current entry's content; 0 when it is all read.
    func read(_ out: UnsafeMutableRawBufferPointer) throws -> Int {
        guard contentLeft > 0, out.count > 0 else { return 0 }
        if start == end { try fill() }
        if start == end { throw ImageError("tar archive ends inside an entry (truncated)") }
        let n = min(Int64(out.count), contentLeft, Int64(end - start))
        buffer.withUnsafeBytes { src in
            out.baseAddress!.copyMemory(from: src.baseAddress! + start, byteCount: Int(n))
        }
        start += Int(n)
        contentLeft -= n
        return Int(n)
    }

    // MARK: - Buffering

    private func fill() throws {
        if start == end { start = 0; end = 0 }
        guard !sourceEnded else { return }
        if start > 0 && end == buffer.count {
            buffer.withUnsafeMutableBytes { b in
                b.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        let n = try buffer.withUnsafeMutableBytes { b in
            try source.read(UnsafeMutableRawBufferPointer(rebasing: b[end...]))
        }
        if n == 0 { sourceEnded = true }
        end += n
    }

    private func readBlock() throws -> [UInt8]? {
        while end - start < 512 {
            let before = end - start
            try fill()
            if end - start == before && sourceEnded {
                if before == 0 { return nil }
                throw ImageError("tar archive ends inside a header (truncated)")
            }
        }
        let block = Array(buffer[start..<start + 512])
        start += 512
        return block
    }

    private func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            if start == end { try fill() }
            if start == end { throw ImageError("tar archive ends inside an entry (truncated)") }
            let n = min(left, Int64(end - start))
            start += Int(n)
            left -= n
        }
    }

    /// The data of a metadata member (pax or GNU long name) and its padding.
    private func readPayload(_ size: Int64) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw ImageError("tar metadata entry of \(size) bytes is too large") }
        var out: [UInt8] = []
        out.reserveCapacity(Int(size))
        var left = Int(size)
        while left > 0 {
            if start == end { try fill() }
            if start == end { throw ImageError("tar archive ends inside an extended header (truncated)") }
            let n = min(left, end - start)
            out += buffer[start..<start + n]
            start += n
            left -= n
        }
        try skip((512 - size % 512) % 512)
        return out
    }

    // MARK: - Headers

    private func verifyChecksum(_ header: [UInt8]) throws {
        let stored = try Self.number(header, 148, 8)
        var sum: Int64 = 0
        for i in 0..<512 { sum += Int64((148..<156).contains(i) ? 0x20 : header[i]) }
        guard stored == sum else { throw ImageError("tar header checksum mismatch (not a tar archive, or corrupt)") }
    }

    private func entry(from h: [UInt8], type: UInt8, size: Int64) throws -> TarEntry {
        let kind: TarEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default: throw ImageError("unsupported tar entry type '\(Character(Unicode.Scalar(type)))' for \(Self.cString(Array(h[0..<100])))")
        }
        var name = Self.cString(Array(h[0..<100]))
        let isUstar = h[257..<262].elementsEqual("ustar".utf8)
        if isUstar {
            let prefix = Self.cString(Array(h[345..<500]))
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        // Old archives mark directories only by a trailing slash.
        let finalKind = (kind == .file && name.hasSuffix("/")) ? .directory : kind
        return TarEntry(
            path: name, kind: finalKind,
            mode: UInt32(truncatingIfNeeded: try Self.number(h, 100, 8)),
            uid: try Self.owner(try Self.number(h, 108, 8), "uid", name), gid: try Self.owner(try Self.number(h, 116, 8), "gid", name),
            size: size, modificationSeconds: try Self.number(h, 136, 12),
            linkName: Self.cString(Array(h[157..<257])),
            deviceMajor: UInt32(truncatingIfNeeded: isUstar ? try Self.number(h, 329, 8) : 0),
            deviceMinor: UInt32(truncatingIfNeeded: isUstar ? try Self.number(h, 337, 8) : 0))
    }

    private func apply(_ pax: [String: String], to entry: inout TarEntry) throws {
        for (key, value) in pax {
            switch key {
            case "path": entry.path = value
            case "linkpath": entry.linkName = value
            case "size":
                guard let v = Int64(value), v >= 0 else { throw ImageError("bad pax size \(value) for \(entry.path)") }
                entry.size = v
            case "uid": entry.uid = try Self.owner(value, key, entry.path)
            case "gid": entry.gid = try Self.owner(value, key, entry.path)
            case "mtime":
                let parts = value.split(separator: ".", maxSplits: 1)
                entry.modificationSeconds = Int64(parts.first ?? "") ?? entry.modificationSeconds
                if parts.count == 2 {
                    let digits = String(parts[1].prefix(9))
                    entry.modificationNanoseconds = (Int(digits) ?? 0) * Self.pow10(9 - digits.count)
                }
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    entry.extendedAttributes[String(key.dropFirst("SCHILY.xattr.".count))] = Array(value.utf8)
                }
            }
        }
    }

    /// pax records: "<length> <key>=<value>\n", length counting the whole record.
    private func parsePax(_ data: [UInt8]) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            guard let space = data[i...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: data[i..<space], as: UTF8.self)),
                  length > space - i, i + length <= data.count, data[i + length - 1] == 0x0A,
                  let equals = data[(space + 1)..<(i + length)].firstIndex(of: UInt8(ascii: "="))
            else { throw ImageError("malformed pax extended header") }
            let key = String(decoding: data[(space + 1)..<equals], as: UTF8.self)
            let value = String(decoding: data[(equals + 1)..<(i + length - 1)], as: UTF8.self)
            out[key] = value
            i += length
        }
        return out
    }

    /// A uid or gid from the archive as uid_t holds it; (uid_t)-1 means "unchanged" to chown, so it is refused too.
    private static func owner(_ value: Int64, _ what: String, _ path: String) throws -> UInt32 {
        guard value >= 0, value < Int64(UInt32.max) else { throw ImageError("tar entry \(path) has \(what) \(value), outside 0-4294967294") }
        return UInt32(value)
    }

    private static func owner(_ text: String, _ what: String, _ path: String) throws -> UInt32 {
        guard let value = Int64(text) else { throw ImageError("tar entry \(path) has \(what) \(text), outside 0-4294967294") }
        return try owner(value, what, path)
    }

    private static func pow10(_ n: Int) -> Int { var r = 1; for _ in 0..<n { r *= 10 }; return r }

    static func cString(_ bytes: [UInt8]) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }

    /// Octal (NUL/space terminated), or GNU base-256 when the top bit of the first byte is set.
    static func number(_ h: [UInt8], _ offset: Int, _ length: Int) throws -> Int64 {
        let field = h[offset..<offset + length]
        if let first = field.first, first & 0x80 != 0 {
            var v: Int64 = Int64(first & 0x3f)
            for b in field.dropFirst() {
                guard v < Int64.max >> 8 else { throw ImageError("tar number field overflows") }
                v = v << 8 | Int64(b)
            }
            return first & 0x40 != 0 ? -v : v
        }
        var v: Int64 = 0
        var seenDigit = false
        for b in field {
            if b == 0 || (b == 0x20 && seenDigit) { break }
            if b == 0x20 { continue }
            guard b >= 0x30 && b <= 0x37 else { throw ImageError("invalid octal number in tar header (not a tar archive, or corrupt)") }
            v = v * 8 + Int64(b - 0x30)
            seenDigit = true
        }
        return v
    }
}
