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
    /// The request target as sent (path and query, still encoded); nil when built from parts.
    public var uri: String?
    /// The peer's IP address; nil in process.
    public var remoteAddress: String?

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
                let k = PercentEncoding.decode(String(kv[0]), plusIsSpace: true)
                let v = kv.count > 1 ? PercentEncoding.decode(String(kv[1]), plusIsSpace: true) : ""
                // First value wins, as Go's url.Values.Get does.
                if query[k] == nil { query[k] = v }
                items.append((k, v))
            }
        }
        self.init(method: method, path: PercentEncoding.decode(path, plusIsSpace: false), query: query,
                  headers: headers, body: body, clientCertificate: clientCertificate)
        queryItems = items
        self.uri = uri
    }
}
