import EdgeCommandLine
import EdgeBoards
import EdgeStore
#if canImport(Glibc)
import Glibc
#endif

/// `edgectl backup save/restore`: consistent snapshots of the server's store, and putting one back.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Snapshots of the server's state store (<data-dir>/backups) and restoring one.",
        subcommands: [Save.self, Restore.self]
    )

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a consistent snapshot while the server runs (SQLite: VACUUM INTO; etcd: its snapshot).")

        @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
        var dataDir: String?

        @Option(name: .long, help: "Name of the snapshot (lower-case letters, digits, '-'); the file is <name>-<UTC time>.")
        var name: String = "on-demand"

        @Option(name: .long, help: "The server's datastore when it is not in the data dir (as edgectl server takes it).")
        var datastoreEndpoint: String?

        @OptionGroup var datastore: DatastoreOptions

        func validate() throws {
            guard Backups.validName(name) else { throw ValidationError("--name \(name): lower-case letters, digits and '-' only, at most 64") }
        }

        func run() async throws {
            let dir = DataDirectory.resolve(dataDir, role: "server")
            let backups = try Backups.resolve(dataDir: dir, endpointFlag: datastoreEndpoint, options: datastore)
            let path = try await backups.save(name: name)
            print(path)
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a stopped server's store back to a snapshot.",
            discussion: """
                The server on --data-dir must be stopped (restore refuses otherwise). SQLite: the snapshot replaces \
                <data-dir>/db/state.db and the store starts past every revision the replaced one handed out, so \
                clients relist. --cluster-init etcd: the member's data is replaced by a one-member cluster restored \
                from the snapshot (the previous data is kept beside it); other servers rejoin with fresh data dirs \
                and --server/--token. External etcd and PostgreSQL are restored with their own tools.
                """)

        @Argument(help: "A snapshot from edgectl backup save (.db or .etcd).")
        var file: String

        @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
        var dataDir: String?

        func run() async throws {
            let dir = DataDirectory.resolve(dataDir, role: "server")
            guard FileSystem.exists(file) else { throw ValidationError("no snapshot at \(file)") }
            let lock = try ServerLock.acquire(dataDir: dir)
            defer { lock.release() }
            if SQLiteBackend.isSnapshot(file) {
                guard EmbeddedEtcd.recorded(dataDir: dir) == nil else {
                    throw ValidationError("\(dir) runs an embedded etcd: restore an etcd snapshot (.etcd) there")
                }
                try FileSystem.makeDirectories(dir + "/db")
                // The cluster's CA and keys first: a data dir of another cluster is refused before anything changes.
                try Backups.installIdentity(try SQLiteBackend.files(in: file), dataDir: dir)
                let r = try SQLiteBackend.restore(snapshot: file, to: dir + "/db/state.db")
                print("restored \(file) (revision \(r.snapshotRevision)) into \(dir)/db/state.db; the store continues at revision \(r.revision), clients relist")
                return
            }
            guard let member = EmbeddedEtcd.recorded(dataDir: dir) else {
                throw ValidationError("\(file) is not an SQLite snapshot, and \(dir) has no embedded etcd to restore an etcd snapshot into")
            }
            try restoreEtcd(member, dir: dir)
        }

        func restoreEtcd(_ member: EmbeddedEtcd, dir: String) throws {
            let etcdDir = dir + "/etcd"
            let staging = etcdDir + "/data.restoring"
            _ = system("rm -rf '\(staging)'")
            let args = ["env", "ETCDCTL_API=3", "etcdctl", "snapshot", "restore", file, "--name", member.name,
                        "--initial-cluster", "\(member.name)=\(member.peerURL)", "--initial-advertise-peer-urls", member.peerURL,
                        "--data-dir", staging]
            guard ChildRun.run(args) == 0 else {
                throw ValidationError("etcdctl snapshot restore failed (is etcd-client installed, and is \(file) an etcd snapshot?)")
            }
            let kept = etcdDir + "/data.before-restore-" + Backups.stamp()
            if FileSystem.exists(etcdDir + "/data") { guard rename(etcdDir + "/data", kept) == 0 else { throw ValidationError("cannot move \(etcdDir)/data aside") } }
            guard rename(staging, etcdDir + "/data") == 0 else { throw ValidationError("cannot put the restored data in \(etcdDir)/data") }
            print("restored \(file) into \(etcdDir)/data as a one-member cluster (\(member.name)); the previous data is in \(kept)")
            print("Start this server; other servers join it again with fresh data dirs and --server/--token.")
        }
    }
}

/// Runs a command to its end (stdout and stderr passed through); its exit status.
enum ChildRun {
    static func run(_ args: [String]) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, args[0], nil, nil, &argv, ProcessEnvironment.pointer) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
