import EdgeAPI

/// `postgres://user:password@host:port/database?sslmode=...`, as libpq and kine read it.
/// The password is kept apart and never part of `description`.
public struct PostgresDSN: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable {
        /// Plain TCP (loopback, a trusted network).
        case disable
        /// TLS, the server's certificate not checked (as libpq's require).
        case require
        /// TLS, the server's certificate checked against --datastore-cafile, and its name.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public init(user: String, password: String?, host: String, port: Int, database: String, sslMode: SSLMode) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    public static func parse(_ text: String) throws -> PostgresDSN {
        var rest = Substring(text)
        if rest.hasPrefix("postgresql://") { rest = rest.dropFirst("postgresql://".count) } else if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else {
            throw StoreError.database("a PostgreSQL endpoint starts with postgres://")
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let cred = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = cred.firstIndex(of: ":") {
                user = PercentEncoding.decode(cred[..<colon], plusIsSpace: false)
                password = PercentEncoding.decode(cred[cred.index(after: colon)...], plusIsSpace: false)
            } else {
                user = PercentEncoding.decode(cred, plusIsSpace: false)
            }
        }
        var database = user
        var hostPart = rest
        if let slash = rest.firstIndex(of: "/") {
            hostPart = rest[..<slash]
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty { database = PercentEncoding.decode(db, plusIsSpace: false) }
        }
        guard let (host, port) = HostPort.split(hostPart.isEmpty ? "127.0.0.1" : String(hostPart), defaultPort: 5432) else {
            throw StoreError.database("the PostgreSQL endpoint's host \(hostPart.prefix(100)) is not host:port")
        }
        var sslMode = SSLMode.disable
        for item in query.split(separator: "&") {
            let kv = item.split(separator: "=", maxSplits: 1)
            let key = String(kv[0])
            let value = kv.count > 1 ? PercentEncoding.decode(kv[1], plusIsSpace: true) : ""
            switch key {
            case "sslmode":
                switch value {
                case "disable", "allow", "prefer": sslMode = .disable
                case "require": sslMode = .require
                case "verify-ca", "verify-full": sslMode = .verifyFull
                default: throw StoreError.database("sslmode=\(value.prefix(20)) is not one of disable, require, verify-full")
                }
            case "password":
                password = value
            case "user":
                user = value
            default:
                continue // libpq has many; the ones this client does not use are ignored
            }
        }
        guard !user.isEmpty, user.utf8.count < 64, !database.isEmpty, database.utf8.count < 64 else {
            throw StoreError.database("the PostgreSQL endpoint needs a user and a database of under 64 bytes")
        }
        return PostgresDSN(user: user, password: password, host: host, port: port, database: database, sslMode: sslMode)
    }

    /// The endpoint with the password replaced, for logs and errors.
    public var description: String {
        let cred = password == nil ? user : "\(user):REDACTED"
        return "postgres://\(cred)@\(HostPort.join(host, port))/\(database)?sslmode=\(sslMode.rawValue)"
    }
}
