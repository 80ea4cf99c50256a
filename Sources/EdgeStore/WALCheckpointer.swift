import CSQLite

/// Checkpoints the WAL in place of SQLite's automatic checkpoint (same
/// threshold, same passive mode), so the backend knows when the WAL may have
/// started over: the first commit into a fresh WAL records the revision mark,
/// since losing that WAL would lose revisions the database file never saw.
/// Used only on the writer's queue (SQLite calls the hook inside COMMIT there).
final class WALCheckpointer: @unchecked Sendable {
    let thresholdPages: Int32
    /// True until a commit after the last checkpoint has recorded the revision mark (and at open).
    var mayHaveRestarted = true
    /// No automatic checkpoints (the disk is full: the room freed is for the WAL's deletes and events,
    /// not for growing the database file).
    var paused = false
    /// Frames in the WAL after the last commit, as SQLite reported it (the file's size says nothing: it is
    /// given its full size at open).
    private(set) var frames: Int32 = 0

    init(thresholdPages: Int32) {
        self.thresholdPages = thresholdPages
    }

    /// Replaces `PRAGMA wal_autocheckpoint` on `db`; the checkpointer must outlive the connection's commits.
    func install(on db: OpaquePointer) {
        sqlite3_wal_hook(db, { context, db, _, pages in
            guard let context, let db else { return SQLITE_OK }
            let me = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            me.frames = pages
            if pages >= me.thresholdPages, !me.paused { me.checkpoint(db, mode: SQLITE_CHECKPOINT_PASSIVE) }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A checkpoint; an unfinished one (a reader in the way, a full disk) is tried again after the next commit.
    /// Only a finished one lets the WAL start over, so only that one asks for the mark to be recorded (an
    /// unfinished one, retried on every commit, would otherwise cost an fsync per commit).
    func checkpoint(_ db: OpaquePointer, mode: Int32) {
        var frames: Int32 = -1, copied: Int32 = -1
        let rc = sqlite3_wal_checkpoint_v2(db, nil, mode, &frames, &copied)
        if rc == SQLITE_OK, frames == copied { mayHaveRestarted = true }
    }
}
