/// The etcd members a server talks to: `https://h1:2379,h2:2379`.
public struct EtcdEndpoints: Sendable, Equatable, CustomStringConvertible {
    public struct Member: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public var secure: Bool
    public var members: [Member]

    public init(secure: Bool, members: [Member]) {
        self.secure = secure
        self.members = members
    }

    public static func parse(_ text: String) throws -> EtcdEndpoints {
        var secure: Bool?
        var members: [Member] = []
        for raw in text.split(separator: ",") {
            var item = String(raw).trimmingSpaces
            var itemSecure = secure
            if item.hasPrefix("https://") { itemSecure = true; item.removeFirst("https://".count) }
            else if item.hasPrefix("http://") { itemSecure = false; item.removeFirst("http://".count) }
            guard let s = itemSecure else { throw StoreError.database("etcd endpoint \(item) needs a scheme: http:// or https://") }
            if secure == nil { secure = s } else if secure != s {
                throw StoreError.database("etcd endpoints mix http:// and https://: use one scheme for every member")
            }
            if let slash = item.firstIndex(of: "/") { item = String(item[..<slash]) }
            if item.contains("@") { throw StoreError.database("etcd endpoints take no user or password in the URL: use --datastore-certfile/--datastore-keyfile") }
            guard let (host, port) = HostPort.split(item, defaultPort: 2379) else {
                throw StoreError.database("etcd endpoint \(item) is not host:port")
            }
            members.append(Member(host: host, port: port))
        }
        guard let secure, !members.isEmpty else { throw StoreError.database("no etcd endpoint given") }
        return EtcdEndpoints(secure: secure, members: members)
    }

    /// One member's URL.
    public static func parseURL(_ url: String) -> Member? {
        guard let e = try? parse(url), e.members.count == 1 else { return nil }
        return e.members[0]
    }

    public var description: String {
        members.map { "\(secure ? "https" : "http")://\(HostPort.join($0.host, $0.port))" }.joined(separator: ",")
    }
}

/// host:port with IPv6 brackets.
enum HostPort {
    static func split(_ s: String, defaultPort: Int) -> (String, Int)? {
        if s.hasPrefix("[") {
            guard let end = s.firstIndex(of: "]") else { return nil }
            let host = String(s[s.index(after: s.startIndex)..<end])
            let rest = s[s.index(after: end)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (1...65535).contains(p) else { return nil }
            return (host, p)
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard !s.isEmpty else { return nil }
        if parts.count == 1 { return (s, defaultPort) }
        guard parts.count == 2, !parts[0].isEmpty, let p = Int(parts[1]), (1...65535).contains(p) else { return nil }
        return (String(parts[0]), p)
    }

    static func join(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
