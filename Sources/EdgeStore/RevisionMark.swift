#if canImport(Glibc)
import Glibc
#endif

/// The revision high-water mark, kept beside the database where a lost,
/// truncated or corrupted WAL cannot take it along. It holds two numbers:
///
/// - `committed`: a revision known to be durably committed (and possibly
///   handed to clients) when the mark was written. A store that opens at a
///   lower revision has lost acknowledged writes: SQLiteBackend refuses it.
/// - `reserved`: no revision above it was ever handed out. The writer raises
///   it in chunks *before* committing past it, so it costs one fsync per
///   chunk, not per write; recovery moves the store past it so no client
///   ever sees a resourceVersion twice.
///
/// The file is two 512-byte slots written in turn, each a line of text with a
/// sequence number and a checksum, so a torn write leaves the other slot
/// readable and an update never needs a new disk block (it works on a full
/// disk). While a backend has the store open it holds an exclusive lock on the
/// file, so a second server or a recovery cannot run beside it.
final class RevisionMark {
    struct Value: Equatable, Sendable {
        var committed: Int64
        var reserved: Int64
    }

    enum Failure: Error, CustomStringConvertible {
        case damaged(String)
        case inUse(String)
        case io(String)

        var description: String {
            switch self {
            case .damaged(let s), .inUse(let s), .io(let s): return s
            }
        }
    }

    static let slotSize = 512
    static let header = "edgectl-revision-mark v1"

    let path: String
    private let fd: Int32
    private(set) var value: Value
    private var sequence: UInt64

    /// Opens (creating with `initial` when absent) and locks the mark; `.damaged` when it exists but neither
    /// slot reads (unless `replacingDamaged`: then it is rewritten with `initial`), `.inUse` when another
    /// process holds it.
    init(path: String, initial: Value, replacingDamaged: Bool = false) throws {
        self.path = path
        let created = access(path, F_OK) != 0
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure.io("cannot open the revision mark \(path): \(Self.errno())") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Failure.inUse("the store beside \(path) is in use by another edgectl process (it holds the revision mark's lock); stop it first")
        }
        self.fd = fd
        if created {
            value = initial
            sequence = 0
            do {
                try write(initial)
                try write(initial) // both slots, so the file never needs to grow again
                try Self.syncDirectory(of: path)
            } catch {
                close(fd)
                unlink(path)
                throw error
            }
        } else {
            if let (v, seq) = Self.read(fd) {
                value = v
                sequence = seq
            } else if replacingDamaged {
                value = initial
                sequence = 0
                do {
                    guard ftruncate(fd, off_t(2 * Self.slotSize)) == 0 else { throw Failure.io("cannot rewrite the revision mark \(path): \(Self.errno())") }
                    try write(initial)
                    try write(initial)
                } catch {
                    close(fd)
                    throw error
                }
            } else {
                close(fd)
                throw Failure.damaged("the revision mark \(path) is damaged (neither copy of it reads)")
            }
        }
    }

    deinit { close(fd) }

    /// Lets another process open the store (after the backend closed it; no writes follow).
    func unlock() {
        _ = flock(fd, LOCK_UN)
    }

    /// Reads the mark without locking it; nil when the file does not exist, `.damaged` when it cannot be read.
    static func peek(path: String) throws -> Value? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if Glibc.errno == ENOENT { return nil }
            throw Failure.io("cannot read the revision mark \(path): \(errno())")
        }
        defer { close(fd) }
        guard let (v, _) = read(fd) else { throw Failure.damaged("the revision mark \(path) is damaged (neither copy of it reads)") }
        return v
    }

    /// Records `v` durably (one fdatasync) in the older slot.
    func record(_ v: Value) throws {
        try write(v)
        value = v
    }

    private func write(_ v: Value) throws {
        let next = sequence &+ 1
        var text = "\(Self.header) seq=\(next) committed=\(v.committed) reserved=\(v.reserved)"
        text += " sum=\(Self.hex(Self.checksum(text)))\n"
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: 0, count: Self.slotSize - bytes.count)
        let offset = off_t(Int(next % 2) * Self.slotSize)
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, offset) }
        guard n == bytes.count else { throw Failure.io("cannot write the revision mark \(path): \(n < 0 ? Self.errno() : "short write")") }
        guard fdatasync(fd) == 0 else { throw Failure.io("cannot sync the revision mark \(path): \(Self.errno())") }
        sequence = next
    }

    /// The valid slot with the highest sequence number.
    static func read(_ fd: Int32) -> (Value, UInt64)? {
        var best: (Value, UInt64)?
        for slot in 0..<2 {
            var buf = [UInt8](repeating: 0, count: slotSize)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, slotSize, off_t(slot * slotSize)) }
            guard n > 0, let parsed = parse(buf.prefix(n)) else { continue }
            if best == nil || parsed.1 > best!.1 { best = parsed }
        }
        return best
    }

    static func parse(_ bytes: ArraySlice<UInt8>) -> (Value, UInt64)? {
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        guard let sumRange = line.firstRange(of: " sum="), line.hasPrefix(header + " ") else { return nil }
        let body = String(line[..<sumRange.lowerBound])
        guard String(line[sumRange.upperBound...]) == hex(checksum(body)) else { return nil }
        var fields: [String: String] = [:]
        for part in body.dropFirst(header.count + 1).split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let seq = fields["seq"].flatMap({ UInt64($0) }), let committed = fields["committed"].flatMap({ Int64($0) }),
              let reserved = fields["reserved"].flatMap({ Int64($0) }) else { return nil }
        return (Value(committed: committed, reserved: reserved), seq)
    }

    /// FNV-1a, 64 bits: enough to tell a torn or scribbled slot from a written one.
    static func checksum(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func syncDirectory(of path: String) throws {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure.io("cannot open \(dir) to sync it: \(errno())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure.io("cannot sync \(dir): \(errno())") }
    }

    static func errno() -> String { String(cString: strerror(Glibc.errno)) }
}
