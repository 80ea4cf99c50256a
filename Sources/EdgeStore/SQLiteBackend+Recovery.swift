import CSQLite

extension SQLiteBackend {
    /// What `recover(path:)` did.
    public struct Recovery: Sendable, Equatable {
        /// The revision the damaged store ended at.
        public var storeRevision: Int64
        /// The mark's committed and reserved revisions, nil when the mark was missing or unreadable.
        public var markCommitted: Int64?
        public var markReserved: Int64?
        /// The store's revision now: past every revision a client can have been given, and its compaction
        /// point, so every watch or list from an older resourceVersion gets 410 Gone and relists.
        public var revision: Int64
    }

    /// Accepts the loss of a damaged store: serves what is left, at a revision past the old high-water mark.
    /// Run with no server on the store (the mark's lock refuses otherwise).
    public static func recover(path: String) throws -> Recovery {
        let markPath = markPath(for: path)
        var old: RevisionMark.Value?
        do { old = try RevisionMark.peek(path: markPath) } catch RevisionMark.Failure.damaged { old = nil }
        let db = try openWriter(path: path, durability: .full)
        let (current, _) = try revisions(db)
        let past = old.map { max(current, $0.reserved) } ?? adding(current, unknownMarkMargin)
        let target = adding(past, 1)
        let mark: RevisionMark
        do {
            mark = try RevisionMark(path: markPath, initial: .init(committed: target, reserved: target), replacingDamaged: true)
        } catch {
            throw StoreError.database("\(error)")
        }
        try db.exec("BEGIN IMMEDIATE")
        do {
            // History before the jump is gone for every client: keep the live rows only.
            try db.query("""
                DELETE FROM kv WHERE deleted = 1 OR id NOT IN (SELECT MAX(id) FROM kv GROUP BY name)
                """)
            // The compaction point is also where revisions go on from (`revisions`): past the old high-water mark.
            try db.query("INSERT OR REPLACE INTO meta(k, v) VALUES('compact_rev', ?)", [.int(target)])
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
        _ = sqlite3_wal_checkpoint_v2(db.db, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        do {
            try mark.record(.init(committed: target, reserved: adding(target, reserveChunk)))
        } catch {
            throw StoreError.database("\(error)")
        }
        return Recovery(storeRevision: current, markCommitted: old?.committed, markReserved: old?.reserved, revision: target)
    }
}
