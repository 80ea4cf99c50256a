import EdgeStore
import Logging
import NIOCore

/// Opens the server's datastore by --datastore-endpoint's scheme: SQLite (embedded, the default), etcd or
/// PostgreSQL (shared by several servers). A server may start before its datastore: etcd and PostgreSQL
/// are waited for, up to a minute, with what is missing logged.
enum ServerDatastore {
    /// `--datastore-endpoint`, else $EDGECTL_DATASTORE_ENDPOINT (keeps a password out of the process list),
    /// else SQLite in the data directory.
    static func endpoint(flag: String?, dataDir: String) throws -> DatastoreEndpoint {
        if let text = flag ?? FileSystem.environment("EDGECTL_DATASTORE_ENDPOINT"), !text.isEmpty {
            return try DatastoreEndpoint.parse(text)
        }
        return .sqlite(path: dataDir + "/db/state.db")
    }

    static func tls(_ options: DatastoreOptions) throws -> DatastoreTLS {
        DatastoreTLS(caPEM: try options.datastoreCafile.map(FileSystem.read),
                     certificatePEM: try options.datastoreCertfile.map(FileSystem.read),
                     keyPEM: try options.datastoreKeyfile.map(FileSystem.read))
    }

    static func open(_ endpoint: DatastoreEndpoint, tls: DatastoreTLS, sqliteDurability: SQLiteBackend.Durability,
                     group: EventLoopGroup, log: Logger, waitFor: Duration = .seconds(60)) async throws -> any Backend {
        switch endpoint {
        case .sqlite(let path):
            return try SQLiteBackend(path: path, durability: sqliteDurability)
        case .etcd(let members):
            let b = try EtcdBackend(endpoints: members, tls: tls, group: group)
            try await b.waitUntilReachable(timeout: waitFor)
            return b
        case .postgres(let dsn):
            let deadline = ContinuousClock.now + waitFor
            while true {
                do {
                    return try await PostgresBackend.open(dsn: dsn, tls: tls, group: group)
                } catch StoreError.unavailable(let why) where ContinuousClock.now < deadline {
                    log.info("waiting for PostgreSQL at \(dsn): \(why)")
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}

extension ServerDatastore {
    /// A joining --cluster-init server's member: added through a member of the cluster, then the
    /// `--initial-cluster` its etcd starts with (every member by name; this one by its own).
    static func addEtcdMember(_ member: EmbeddedEtcd, via clientURLs: [String], tls: DatastoreTLS, group: EventLoopGroup) async throws -> String {
        let existing = try EtcdEndpoints.parse(clientURLs.joined(separator: ","))
        let b = try EtcdBackend(endpoints: existing, tls: tls, group: group)
        defer { Task { await b.close() } }
        let m = EtcdMaintenance(b)
        var members: [EtcdMaintenance.Member] = []
        // etcd refuses a new member while one it has is not yet up ("unhealthy cluster"): servers joining one
        // after the other wait here for the previous one's member to catch up.
        let deadline = ContinuousClock.now + .seconds(90)
        while true {
            do {
                members = try await m.addMember(peerURL: member.peerURL).members
                break
            } catch StoreError.database(let why) where why.contains("Peer URLs already exists") {
                members = try await m.members() // added before, then this server stopped before its etcd started
                break
            } catch StoreError.unavailable(let why) where ContinuousClock.now < deadline {
                Logger(label: "edgectl.etcd").info("waiting to add etcd member \(member.name): \(why)")
                try await Task.sleep(for: .seconds(1))
            }
        }
        return members.map { x in
            x.peerURLs.contains(member.peerURL) ? "\(member.name)=\(member.peerURL)" : "\(x.name)=\(x.peerURLs.first ?? "")"
        }.joined(separator: ",")
    }
}
