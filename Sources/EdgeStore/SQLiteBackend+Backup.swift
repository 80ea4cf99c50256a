import CSQLite
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteBackend {
    /// A consistent copy of the live database at `path`, taken while a server writes to it (one read
    /// transaction: VACUUM INTO), written to `destination` (which must not exist).
    ///
    /// The store is locked for the process that has it open (`SQLiteConnection.processExclusiveVFS`): while
    /// a server runs, only that server's process can take this snapshot (`edgectl backup save` asks it to);
    /// another process gets `StoreError.database` ("database is locked").
    public static func snapshot(path: String, to destination: String) throws {
        guard access(path, F_OK) == 0 else { throw StoreError.database("no store at \(path)") }
        let c = try SQLiteConnection(existing: path)
        try c.query("VACUUM INTO ?", [.text(destination)])
    }

    /// Puts files beside the data in a snapshot (the server's CA and keys, so a restore on a new machine
    /// serves with the same identity and every agent and kubeconfig still trusts it).
    public static func addFiles(_ files: [String: [UInt8]], to snapshot: String) throws {
        let c = try SQLiteConnection(path: snapshot, readOnly: false)
        try c.exec("CREATE TABLE IF NOT EXISTS backup_files (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
        try c.exec("BEGIN")
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try c.query("INSERT OR REPLACE INTO backup_files(name, data) VALUES(?, ?)", [.text(name), .blob(data)])
        }
        try c.exec("COMMIT")
    }

    /// The files `addFiles` put in a snapshot.
    public static func files(in snapshot: String) throws -> [String: [UInt8]] {
        let c = try SQLiteConnection(path: snapshot, readOnly: true)
        var hasFiles = false
        try c.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_files'") { _ in hasFiles = true }
        var out: [String: [UInt8]] = [:]
        if hasFiles { try c.query("SELECT name, data FROM backup_files") { out[SQLiteConnection.text($0, 0)] = SQLiteConnection.blob($0, 1) } }
        return out
    }

    /// Whether `file` is an SQLite database (a snapshot `snapshot` wrote).
    public static func isSnapshot(_ file: String) -> Bool {
        guard let f = fopen(file, "rb") else { return false }
        defer { fclose(f) }
        var header = [UInt8](repeating: 0, count: 16)
        return fread(&header, 1, 16, f) == 16 && header == Array("SQLite format 3\u{0}".utf8)
    }

    /// What `restore` did.
    public struct Restored: Sendable, Equatable {
        /// The revision the snapshot was taken at.
        public var snapshotRevision: Int64
        /// The revision the store starts at now: past every revision the replaced store handed out, and
        /// its compaction point, so clients that cached newer objects get 410 Gone and relist instead of
        /// trusting them.
        public var revision: Int64
        /// The files `addFiles` put in the snapshot (they are not kept in the restored store).
        public var files: [String: [UInt8]]
    }

    /// Puts a snapshot in place of the store at `path` (no server may have it open).
    public static func restore(snapshot: String, to path: String) throws -> Restored {
        var replaced: Int64 = 0
        if access(path, F_OK) == 0, let old = try? SQLiteConnection(path: path, readOnly: true) {
            if let at = try? storedRevision(old) { replaced = at }
        }
        // The revision mark knows how far revisions went even if the replaced store lost its WAL; holding it
        // also keeps a server from opening the store while it is replaced.
        let markPath = markPath(for: path)
        let known = (try? RevisionMark.peek(path: markPath)) ?? nil
        replaced = max(replaced, known?.reserved ?? 0)
        let staging = path + ".restoring"
        unlink(staging)
        unlink(staging + "-wal")
        unlink(staging + "-shm")
        // A copy through SQLite, so a damaged snapshot fails here, not at the next start.
        do {
            let src = try SQLiteConnection(existing: snapshot)
            var ok = ""
            try src.query("PRAGMA quick_check") { ok = SQLiteConnection.text($0, 0) }
            guard ok == "ok" else { throw StoreError.database("the snapshot \(snapshot) is damaged: \(ok)") }
            try src.query("VACUUM INTO ?", [.text(staging)])
        }
        let restored: Restored
        do {
            let db = try SQLiteConnection(path: staging, readOnly: false)
            var at: Int64 = 0
            // A snapshot from an older edgectl has the schema it had: the server migrates it when it opens it.
            at = try storedRevision(db)
            let (next, overflow) = max(at, replaced).addingReportingOverflow(1)
            let target = overflow ? Int64.max : next
            var files: [String: [UInt8]] = [:]
            var hasFiles = false
            try db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'backup_files'") { _ in hasFiles = true }
            if hasFiles {
                try db.query("SELECT name, data FROM backup_files") { files[SQLiteConnection.text($0, 0)] = SQLiteConnection.blob($0, 1) }
            }
            try db.exec("BEGIN IMMEDIATE")
            if hasFiles { try db.exec("DROP TABLE backup_files") }
            try db.query("DELETE FROM kv WHERE deleted = 1 OR id NOT IN (SELECT MAX(id) FROM kv GROUP BY name)")
            // Revisions go on from the compaction point (`revisions`), whatever the snapshot's schema.
            try db.query("INSERT OR REPLACE INTO meta(k, v) VALUES('compact_rev', ?)", [.int(target)])
            try db.query("INSERT OR REPLACE INTO meta(k, v) VALUES('revision_floor', ?)", [.int(target)])
            try db.exec("COMMIT")
            try db.exec("PRAGMA journal_mode=DELETE")
            restored = Restored(snapshotRevision: at, revision: target, files: files)
        }
        let mark: RevisionMark
        do {
            mark = try RevisionMark(path: markPath, initial: .init(committed: restored.revision, reserved: restored.revision), replacingDamaged: true)
        } catch {
            throw StoreError.database("\(error)")
        }
        for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
        guard rename(staging, path) == 0 else {
            throw StoreError.database("cannot put the restored store in place at \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try mark.record(.init(committed: restored.revision, reserved: restored.revision))
        } catch {
            throw StoreError.database("\(error)")
        }
        mark.unlock()
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); Glibc.close(fd) }
        return restored
    }
}
