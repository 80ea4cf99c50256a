import EdgeAPI

/// A complete HTTP request as the API layer sees it: transport details (TLS,
/// chunking) are gone, the authenticated peer certificate identity is attached.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Path without the query string, percent-decoded.
    public var path: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Identity from a verified TLS client certificate, if any.
    public var clientCertificate: UserInfo?
    /// Every query parameter in order, repeated keys kept (exec's `command=`).
    public var queryItems: [(String, String)] = []

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], clientCertificate: UserInfo? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.clientCertificate = clientCertificate
    }

    /// Splits a request target (`/api/v1/pods?limit=5&labelSelector=app%3Dweb`).
    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = [],
                clientCertificate: UserInfo? = nil) {
        var path = uri
        var query: [String: String] = [:]
        var items: [(String, String)] = []
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            for pair in uri[uri.index(after: q)...].split(separator: "&", omittingEmptySubsequences: true) {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let k = HTTPRequest.percentDecode(String(kv[0]), plusIsSpace: true)
                let v = kv.count > 1 ? HTTPRequest.percentDecode(String(kv[1]), plusIsSpace: true) : ""
                // First value wins, as Go's url.Values.Get does.
                if query[k] == nil { query[k] = v }
                items.append((k, v))
            }
        }
        self.init(method: method, path: HTTPRequest.percentDecode(path, plusIsSpace: false), query: query,
                  headers: headers, body: body, clientCertificate: clientCertificate)
        queryItems = items
    }

    static func percentDecode(_ s: String, plusIsSpace: Bool) -> String {
        guard s.utf8.contains(where: { $0 == 0x25 || (plusIsSpace && $0 == 0x2B) }) else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x25, i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(plusIsSpace && b[i] == 0x2B ? 0x20 : b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
