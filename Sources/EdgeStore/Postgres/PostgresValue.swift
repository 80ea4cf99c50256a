/// A statement parameter, sent in binary with its type.
enum PostgresValue: Sendable {
    case int(Int64)
    case text(String)
    case bytes([UInt8])
    case null

    /// The parameter's type OID (int8, text, bytea).
    var oid: UInt32 {
        switch self {
        case .int: return 20
        case .text, .null: return 25
        case .bytes: return 17
        }
    }

    /// The binary encoding, nil for NULL.
    var encoded: [UInt8]? {
        switch self {
        case .int(let v): return withUnsafeBytes(of: v.bigEndian) { Array($0) }
        case .text(let s): return Array(s.utf8)
        case .bytes(let b): return b
        case .null: return nil
        }
    }
}

/// One result row: its columns in binary format, nil for NULL.
struct PostgresRow: Sendable {
    var columns: [[UInt8]?]

    func isNull(_ i: Int) -> Bool { i >= columns.count || columns[i] == nil }

    /// An integer column (int2, int4, int8 or bool in binary form).
    func int(_ i: Int) -> Int64 {
        guard i < columns.count, let b = columns[i] else { return 0 }
        var v: Int64 = 0
        switch b.count {
        case 1: return Int64(b[0])
        case 2: v = Int64(Int16(bitPattern: UInt16(b[0]) << 8 | UInt16(b[1])))
        case 4: v = Int64(Int32(bitPattern: b.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case 8: v = Int64(bitPattern: b.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        default: return 0
        }
        return v
    }

    func bytes(_ i: Int) -> [UInt8] { i < columns.count ? columns[i] ?? [] : [] }

    func text(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }
}
