/// A WWW-Authenticate challenge: `Bearer realm="...",service="...",scope="..."`.
struct AuthChallenge: Sendable, Equatable {
    var scheme: String
    var parameters: [String: String]

    static func parse(_ header: String) -> AuthChallenge? {
        let text = Array(header.utf8)
        var i = 0
        while i < text.count && text[i] != 0x20 { i += 1 }
        let scheme = String(decoding: text[0..<i], as: UTF8.self).lowercased()
        guard !scheme.isEmpty else { return nil }
        var params: [String: String] = [:]
        while i < text.count {
            while i < text.count && (text[i] == 0x20 || text[i] == UInt8(ascii: ",")) { i += 1 }
            let keyStart = i
            while i < text.count && text[i] != UInt8(ascii: "=") { i += 1 }
            guard i < text.count else { break }
            let key = String(decoding: text[keyStart..<i], as: UTF8.self).trimmingSpaces.lowercased()
            i += 1
            var value: [UInt8] = []
            if i < text.count && text[i] == UInt8(ascii: "\"") {
                // Quoted: commas inside belong to the value (scopes list actions with commas).
                i += 1
                while i < text.count && text[i] != UInt8(ascii: "\"") {
                    if text[i] == UInt8(ascii: "\\") && i + 1 < text.count { i += 1 }
                    value.append(text[i])
                    i += 1
                }
                i += 1
            } else {
                while i < text.count && text[i] != UInt8(ascii: ",") { value.append(text[i]); i += 1 }
            }
            params[key] = String(decoding: value, as: UTF8.self).trimmingSpaces
        }
        return AuthChallenge(scheme: scheme, parameters: params)
    }
}
