import CSQLite

/// A thin wrapper over one sqlite3 handle with prepared-statement caching.
/// Not thread-safe: each connection is used by one thread at a time.
final class SQLiteConnection {
    let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// SQLite's VFS that locks the database file for this process alone while any connection of the process
    /// has it open, and so keeps the WAL index in heap memory shared by the process's connections instead of
    /// the `-shm` file: no wal-index pages dirtied on the disk at every commit (docs/BENCHMARKS.md,
    /// flash-friendly writes). Another process opening the store while the server runs gets "database is
    /// locked"; it goes through the server instead (`edgectl backup save`, docs/STORES.md).
    static let processExclusiveVFS = "unix-excl"

    /// `readOnly` connections are opened read-write and refuse changes with `query_only`: SQLite's unix-excl
    /// takes the process's lock only for connections that can write, and a read-only one would replace that
    /// lock with a shared one (POSIX locks are per process), letting another process in beside the heap WAL index.
    convenience init(path: String, readOnly: Bool) throws {
        try self.init(path: path, create: !readOnly, queryOnly: readOnly)
    }

    /// A database that must already exist, opened for VACUUM INTO (which `query_only` refuses) and reads.
    convenience init(existing path: String) throws {
        try self.init(path: path, create: false, queryOnly: false)
    }

    private init(path: String, create: Bool, queryOnly: Bool) throws {
        var h: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &h, flags, Self.processExclusiveVFS)
        guard rc == SQLITE_OK, let h else {
            let msg = h.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(rc)"
            if let h { sqlite3_close(h) }
            throw StoreError.database("failed to open \(path): \(msg)")
        }
        db = h
        sqlite3_busy_timeout(db, 5000)
        // Fully initialised here: a throw closes the handle in deinit.
        if queryOnly { try exec("PRAGMA query_only=1") }
    }

    deinit {
        for s in statements.values { sqlite3_finalize(s) }
        sqlite3_close(db)
    }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(err)
            throw Self.error(rc, "\(msg) (in: \(sql.prefix(80)))")
        }
    }

    var errorMessage: String { String(cString: sqlite3_errmsg(db)) }

    /// A full disk is its own error: the API answers it with a message a user can act on, and deletes go on.
    static func error(_ rc: Int32, _ message: String) -> StoreError {
        (rc & 0xFF) == SQLITE_FULL ? .noSpace(message) : .database(message)
    }

    /// A cached prepared statement, reset and with bindings cleared.
    func statement(_ sql: String) throws -> OpaquePointer {
        if let s = statements[sql] {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            return s
        }
        var s: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &s, nil) == SQLITE_OK, let s else {
            throw StoreError.database("failed to prepare statement: \(errorMessage)")
        }
        statements[sql] = s
        return s
    }

    /// Runs a statement with bindings, calling `row` for each result row.
    func query(_ sql: String, _ args: [SQLValue] = [], row: (OpaquePointer) throws -> Void = { _ in }) throws {
        let s = try statement(sql)
        for (i, a) in args.enumerated() { a.bind(s, Int32(i + 1)) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_ROW { try row(s); continue }
            if rc == SQLITE_DONE { break }
            let msg = errorMessage
            sqlite3_reset(s)
            throw Self.error(rc, msg)
        }
        sqlite3_reset(s)
    }

    static func text(_ s: OpaquePointer, _ col: Int32) -> String {
        guard let p = sqlite3_column_text(s, col) else { return "" }
        return String(cString: p)
    }

    static func blob(_ s: OpaquePointer, _ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(s, col))
        guard n > 0, let p = sqlite3_column_blob(s, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    static func int(_ s: OpaquePointer, _ col: Int32) -> Int64 { sqlite3_column_int64(s, col) }

    static func isNull(_ s: OpaquePointer, _ col: Int32) -> Bool { sqlite3_column_type(s, col) == SQLITE_NULL }
}

enum SQLValue {
    case int(Int64), text(String), blob([UInt8]), null

    // SQLITE_TRANSIENT: SQLite copies the bytes, so Swift may free them after bind.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ s: OpaquePointer, _ i: Int32) {
        switch self {
        case .int(let v): sqlite3_bind_int64(s, i, v)
        case .text(let t): sqlite3_bind_text(s, i, t, -1, Self.transient)
        case .blob(let b):
            b.withUnsafeBytes { p in _ = sqlite3_bind_blob(s, i, p.baseAddress, Int32(b.count), Self.transient) }
        case .null: sqlite3_bind_null(s, i)
        }
    }
}
