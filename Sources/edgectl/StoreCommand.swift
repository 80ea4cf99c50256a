import EdgeCommandLine
import EdgeStore

/// `edgectl store recover`: what to do when the server refuses a damaged store.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Repair the server's state store.",
        subcommands: [Recover.self]
    )

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept writes lost with a damaged write-ahead log and serve what is left.",
            discussion: """
                Run this only when `edgectl server` refuses to start because the store ends before a revision \
                clients were already given (a deleted, truncated or corrupted state.db-wal), and with the server \
                stopped. The store keeps what survived and jumps past every revision a client may have seen, so \
                every watch and cache (kubectl, controllers, agents) relists instead of trusting objects that are \
                gone. The lost writes are not brought back: restore a backup instead if you have a newer one.
                """
        )

        @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
        var dataDir: String?

        @Option(name: .long, help: "Datastore: sqlite:///path (default: <data-dir>/db/state.db).")
        var datastoreEndpoint: String?

        func validate() throws {
            if let e = datastoreEndpoint, !e.hasPrefix(StoreLocation.scheme) {
                throw ValidationError("--datastore-endpoint \(e) is not supported: use sqlite:///path/to/state.db")
            }
        }

        func run() throws {
            let path = StoreLocation.path(dataDir: DataDirectory.resolve(dataDir, role: "server"), endpoint: datastoreEndpoint)
            guard FileSystem.exists(path) else { throw ValidationError("no store at \(path): check --data-dir") }
            // A running server has the store open for its process alone (and serves it as it is).
            let dir = DataDirectory.resolve(dataDir, role: "server")
            let lock = FileSystem.exists(dir) ? try ServerLock.acquire(dataDir: dir) : nil
            defer { lock?.release() }
            let r = try SQLiteBackend.recover(path: path)
            let seen = r.markReserved.map { "revision \($0) (the revision mark)" } ?? "any revision (the revision mark was missing or unreadable)"
            print("store \(path) recovered: it ended at revision \(r.storeRevision); it now starts at revision \(r.revision), past \(seen).")
            print("Start the server again; clients relist, and objects written after revision \(r.storeRevision) are gone.")
        }
    }
}

/// The server's refusal of a damaged store, with what to do about it.
struct StoreRefusal: Error, CustomStringConvertible {
    var description: String

    init(_ why: String, dataDir: String, endpoint: String?) {
        let flags = endpoint.map { "--datastore-endpoint \($0)" } ?? "--data-dir \(dataDir)"
        description = """
            edgectl server refuses to serve: \(why).
            To serve what is left, stop anything using the store and run `edgectl store recover \(flags)`: \
            the store then starts past every revision clients saw, so they relist; the lost writes stay lost \
            (restore a backup instead if you have a newer one).
            """
    }
}
