/// A request target's query with repeated keys kept in order (exec's
/// `command=sh&command=-c&command=...`), percent-decoded.
struct AgentQuery: Equatable {
    var items: [(String, String)]

    init(_ raw: Substring) {
        items = raw.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    func first(_ key: String) -> String? { items.first { $0.0 == key }?.1 }
    func all(_ key: String) -> [String] { items.filter { $0.0 == key }.map { $0.1 } }

    static func == (a: AgentQuery, b: AgentQuery) -> Bool { a.items.elementsEqual(b.items) { $0 == $1 } }

    static func decode(_ s: Substring) -> String {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = hex(b[i + 1]), let l = hex(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i] == 0x2B ? 0x20 : b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
