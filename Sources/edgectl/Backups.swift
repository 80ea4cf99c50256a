import EdgeAPI
import EdgeStore
import Logging
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Snapshots of the server's store in `<data-dir>/backups`: SQLite through VACUUM INTO (one consistent read
/// while the server writes), etcd through its maintenance snapshot (the embedded --cluster-init member or
/// an external cluster). PostgreSQL is backed up with its own tool (pg_dump), see docs/STORES.md.
struct Backups {
    let dataDir: String
    let endpoint: DatastoreEndpoint
    let tls: DatastoreTLS
    /// True in the server's own process, which holds its SQLite store alone and copies it itself; elsewhere
    /// (`edgectl backup save`) a running server on the data dir is asked through its `BackupSocket`.
    var inServer = false

    var directory: String { dataDir + "/backups" }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The store the server on `dataDir` uses: --datastore-endpoint (or its environment variable), else the
    /// embedded etcd when the data dir has one, else SQLite in the data dir.
    static func resolve(dataDir: String, endpointFlag: String?, options: DatastoreOptions) throws -> Backups {
        if endpointFlag != nil || FileSystem.environment("EDGECTL_DATASTORE_ENDPOINT") != nil {
            return Backups(dataDir: dataDir, endpoint: try ServerDatastore.endpoint(flag: endpointFlag, dataDir: dataDir),
                           tls: try ServerDatastore.tls(options))
        }
        if let member = EmbeddedEtcd.recorded(dataDir: dataDir) {
            let tls = dataDir + "/etcd/tls"
            return Backups(dataDir: dataDir, endpoint: .etcd(member.endpoints),
                           tls: DatastoreTLS(caPEM: try FileSystem.read(tls + "/ca.crt"), certificatePEM: try FileSystem.read(tls + "/client.crt"),
                                             keyPEM: try FileSystem.read(tls + "/client.key")))
        }
        return Backups(dataDir: dataDir, endpoint: .sqlite(path: dataDir + "/db/state.db"), tls: DatastoreTLS())
    }

    static func validName(_ n: String) -> Bool {
        !n.isEmpty && n.count <= 64 && n.allSatisfy { $0.isLowercase && $0.isASCII || $0.isNumber || $0 == "-" } && n.first != "-"
    }

    static func stamp() -> String {
        Timestamp.now().rfc3339.filter { $0 != "-" && $0 != ":" }
    }

    /// Takes a snapshot named `<name>-<UTC time>`; its path.
    func save(name: String) async throws -> String {
        try FileSystem.makeDirectories(directory)
        let base = "\(directory)/\(name)-\(Self.stamp())"
        switch endpoint {
        case .sqlite:
            if !inServer, Self.serverRuns(dataDir: dataDir) {
                return try BackupSocket.request(dataDir: dataDir, name: name)
            }
            return try saveLocally(name: name)
        case .etcd(let members):
            let out = base + ".etcd"
            let tmp = out + ".part"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw Failure(description: "cannot write \(tmp): \(String(cString: strerror(errno)))") }
            let backend = try EtcdBackend(endpoints: members, tls: tls, requestTimeout: .seconds(30))
            do {
                try await EtcdMaintenance(backend).snapshot { chunk in
                    let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    guard n == chunk.count else { throw Failure(description: "cannot write \(tmp): \(String(cString: strerror(errno)))") }
                }
                fsync(fd)
                close(fd)
                await backend.close()
            } catch {
                close(fd)
                unlink(tmp)
                await backend.close()
                throw error
            }
            try Self.commit(tmp, out)
            return out
        case .postgres:
            throw Failure(description: """
                PostgreSQL is backed up with its own tools: pg_dump --table=edgectl_kv --table=edgectl_meta DBNAME > backup.sql \
                (one consistent snapshot), restored with psql into an empty database
                """)
        }
    }

    /// An SQLite snapshot taken by this process (the server's, or a CLI's when no server runs on the data dir).
    func saveLocally(name: String) throws -> String {
        guard case .sqlite(let path) = endpoint else { throw Failure(description: "only an SQLite store is copied in the server's process") }
        guard FileSystem.exists(path) else { throw Failure(description: "no store at \(path): check --data-dir") }
        try FileSystem.makeDirectories(directory)
        let out = "\(directory)/\(name)-\(Self.stamp()).db"
        let tmp = out + ".part"
        unlink(tmp)
        do {
            try SQLiteBackend.snapshot(path: path, to: tmp)
            try SQLiteBackend.addFiles(try identityFiles(), to: tmp)
        } catch {
            unlink(tmp)
            throw error
        }
        try Self.commit(tmp, out)
        return out
    }

    /// Whether a server holds `<dataDir>/server.lock` (it then has the SQLite store open, for its process alone).
    static func serverRuns(dataDir: String) -> Bool {
        guard FileSystem.exists(ServerLock.path(dataDir: dataDir)) else { return false }
        guard let lock = try? ServerLock.acquire(dataDir: dataDir) else { return true }
        lock.release()
        return false
    }

    /// The server's identity files a snapshot carries (SQLite): with them a restore on a new machine is the
    /// same cluster for every agent and kubeconfig.
    static let identity = ["tls/ca.crt", "tls/ca.key", "tls/service-account.key", "token"]

    func identityFiles() throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for f in Self.identity where FileSystem.exists(dataDir + "/" + f) { out[f] = Array(try FileSystem.read(dataDir + "/" + f).utf8) }
        return out
    }

    /// Writes a restored snapshot's identity files into `dataDir`; refuses a data dir of another cluster.
    static func installIdentity(_ files: [String: [UInt8]], dataDir: String) throws {
        for (name, data) in files where identity.contains(name) {
            let path = dataDir + "/" + name
            let text = String(decoding: data, as: UTF8.self)
            if FileSystem.exists(path) {
                guard try FileSystem.read(path) == text else {
                    throw Failure(description: "\(path) differs from the snapshot's: \(dataDir) belongs to another cluster; restore into its own data dir or a fresh one")
                }
                continue
            }
            try FileSystem.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))
            try FileSystem.write(path, text, mode: 0o600)
        }
    }

    static func commit(_ tmp: String, _ out: String) throws {
        chmod(tmp, 0o600)
        let fd = open(tmp, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, out) == 0 else { throw Failure(description: "cannot rename \(tmp): \(String(cString: strerror(errno)))") }
        let dir = String(out[..<out.lastIndex(of: "/")!])
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Snapshots named `<name>-*`, oldest first.
    func list(name: String) -> [String] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let n = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if n.hasPrefix(name + "-") && (n.hasSuffix(".db") || n.hasSuffix(".etcd")) { out.append(n) }
        }
        return out.sorted().map { directory + "/" + $0 }
    }

    /// Keeps the newest `keep` snapshots named `<name>-*`.
    func prune(name: String, keep: Int) {
        let all = list(name: name)
        for old in all.dropLast(max(0, keep)) { unlink(old) }
    }

    /// `--backup-schedule`: a snapshot at every time the cron schedule names (UTC), keeping `retention`.
    func runSchedule(_ schedule: CronSchedule, retention: Int, log: Logger) async {
        while !Task.isCancelled {
            guard let next = schedule.next(after: Timestamp.now()) else { return }
            let wait = max(0, next.seconds - Timestamp.now().seconds)
            try? await Task.sleep(for: .seconds(wait))
            if Task.isCancelled { return }
            do {
                let path = try await save(name: "scheduled")
                prune(name: "scheduled", keep: retention)
                log.info("scheduled backup written to \(path)")
            } catch {
                log.error("scheduled backup failed: \(error)")
            }
        }
    }
}
