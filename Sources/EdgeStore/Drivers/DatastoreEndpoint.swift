/// `--datastore-endpoint`, parsed: the scheme picks the driver, as kine's registry does.
///
/// - `sqlite:///var/lib/edgectl/server/db/state.db` (or a bare path)
/// - `https://etcd1:2379,etcd2:2379` or `http://127.0.0.1:2379` (etcd, its v3 API); hosts after the first may
///   leave out the scheme, which they then share with the first
/// - `postgres://user:password@host:5432/db?sslmode=disable|require|verify-full` (also `postgresql://`)
///
/// Credentials in the endpoint never reach a log or an error: `description` is the redacted form.
public enum DatastoreEndpoint: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case etcd(EtcdEndpoints)
    case postgres(PostgresDSN)

    public static func parse(_ text: String) throws -> DatastoreEndpoint {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw StoreError.database("--datastore-endpoint sqlite:// needs a path: sqlite:///path/to/state.db") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("/") { return .sqlite(path: text) }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .postgres(try PostgresDSN.parse(text)) }
        if text.hasPrefix("http://") || text.hasPrefix("https://") { return .etcd(try EtcdEndpoints.parse(text)) }
        let scheme = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        throw StoreError.database("""
            --datastore-endpoint with scheme "\(scheme.prefix(20))" is not supported: use sqlite:///path, \
            https://etcd-host:2379[,host2:2379] or postgres://user@host/db
            """)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite://\(path)"
        case .etcd(let e): return e.description
        case .postgres(let dsn): return dsn.description
        }
    }

    /// The driver's name, for logs and docs.
    public var driver: String {
        switch self {
        case .sqlite: return "sqlite"
        case .etcd: return "etcd"
        case .postgres: return "postgres"
        }
    }
}

/// PEM material for a datastore's TLS (`--datastore-cafile/--datastore-certfile/--datastore-keyfile`).
public struct DatastoreTLS: Sendable, Equatable {
    public var caPEM: String?
    public var certificatePEM: String?
    public var keyPEM: String?

    public init(caPEM: String? = nil, certificatePEM: String? = nil, keyPEM: String? = nil) {
        self.caPEM = caPEM
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }

    public var isEmpty: Bool { caPEM == nil && certificatePEM == nil && keyPEM == nil }
}
