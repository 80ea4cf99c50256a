/// Query strings for agent requests, percent-encoded like Go's url.Values.
enum AgentQueryEncoding {
    static func encode(_ items: [(String, String)]) -> String {
        items.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }

    /// "true"/"1" style booleans of PodLogOptions and PodExecOptions.
    static func isTrue(_ v: String?) -> Bool { ["true", "1"].contains((v ?? "").lowercased()) }
}
