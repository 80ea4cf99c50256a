/// An http(s) URL broken into what a request needs; just enough URL for
/// registry endpoints, token realms and redirect targets.
struct RegistryURL: Sendable, Equatable, CustomStringConvertible {
    var scheme: String
    var host: String
    var port: Int
    /// Path and query, starting with "/".
    var target: String

    static func parse(_ text: String) throws -> RegistryURL {
        let scheme: String
        var rest: Substring
        if text.hasPrefix("http://") { scheme = "http"; rest = Substring(text.dropFirst(7)) }
        else if text.hasPrefix("https://") { scheme = "https"; rest = Substring(text.dropFirst(8)) }
        else { throw ImageError("unsupported URL \(text): only http:// and https:// are understood") }
        var target = "/"
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            target = String(rest[slash...])
            if target.hasPrefix("?") { target = "/" + target }
            rest = rest[..<slash]
        }
        let (host, port) = splitHostPort(String(rest))
        guard !host.isEmpty else { throw ImageError("URL \(text) has no host") }
        return RegistryURL(scheme: scheme, host: host, port: port ?? (scheme == "https" ? 443 : 80), target: target)
    }

    /// "[::1]:5000" -> ("::1", 5000); "example.com" -> ("example.com", nil).
    static func splitHostPort(_ authority: String) -> (host: String, port: Int?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            return (host, after.hasPrefix(":") ? Int(after.dropFirst()) : nil)
        }
        if let colon = authority.lastIndex(of: ":"), !authority[..<colon].contains(":") {
            return (String(authority[..<colon]), Int(authority[authority.index(after: colon)...]))
        }
        return (authority, nil)
    }

    /// Host header value: the port only when it is not the scheme's default.
    var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let isDefault = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        return isDefault ? h : "\(h):\(port)"
    }

    var description: String { "\(scheme)://\(authority)\(target)" }

    /// A Location header: absolute, scheme-relative or path-relative to this URL.
    func resolve(_ location: String) throws -> RegistryURL {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return try .parse(location) }
        if location.hasPrefix("//") { return try .parse(scheme + ":" + location) }
        var copy = self
        if location.hasPrefix("/") {
            copy.target = location
        } else {
            let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
            let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "/"
            copy.target = dir + location
        }
        return copy
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters pass).
    static func queryEscape(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in s.utf8 {
            let unreserved = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
            if unreserved { out.append(c) } else { out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
