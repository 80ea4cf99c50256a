import CSQLite

/// A full disk, as etcd's NOSPACE alarm (see DiskSpaceGuard): deletes go on and free space, Events say why,
/// everything else is refused with StoreError.noSpace until space is back.
extension SQLiteBackend {
    static let refusal = "the disk under the store is full: only deletes are accepted until space is freed"

    /// Asks to be told when the disk-full alarm goes up (`full`) or down, with a sentence for users.
    public func onDiskSpaceChange(_ handler: @escaping @Sendable (_ full: Bool, _ detail: String) -> Void) {
        diskSpaceHandler.withLock { $0 = handler }
    }

    /// The batch as the alarm lets it through (all of it when the alarm is down or space came back);
    /// nil when nothing is left to commit.
    func admittedUnderSpaceAlarm(_ batch: [WriteOp]) -> [WriteOp]? {
        guard space.alarmed else { return batch }
        if space.liftIfRecovered(freeInDatabase: freeInDatabase()) {
            checkpointer.paused = false
            log.notice("space for the store is back: all writes are accepted again")
            notifyDiskSpace(full: false, "space for the state store \(path) is back: all writes are accepted again")
            return batch
        }
        var admitted: [WriteOp] = []
        for op in batch {
            if space.admits(op.kind) { admitted.append(op) } else { op.continuation.resume(throwing: StoreError.noSpace(Self.refusal)) }
        }
        return admitted.isEmpty ? nil : admitted
    }

    /// A commit failed for lack of space. The first time, the alarm goes up and the reserve is freed: the
    /// deletes and events of the batch are returned to be tried once more in that room; the rest fail.
    func retryAfterSpaceExhausted(_ batch: [WriteOp], _ why: String) -> [WriteOp]? {
        guard space.exhausted(freeInDatabase: freeInDatabase()) else {
            for op in batch { op.continuation.resume(throwing: StoreError.noSpace(why)) }
            return nil
        }
        checkpointer.paused = true
        log.error("the disk under the store is full (\(why)): only deletes are accepted until space is freed")
        notifyDiskSpace(full: true, "the disk under the state store \(path) is full: the API server accepts only deletes until space is freed")
        var retry: [WriteOp] = []
        for op in batch {
            if space.admits(op.kind) { retry.append(op) } else { op.continuation.resume(throwing: StoreError.noSpace(why)) }
        }
        return retry.isEmpty ? nil : retry
    }

    /// Under the alarm, after deletes: what the deleted objects held becomes free pages at once (compaction
    /// to now; a watcher resuming from before relists), and the WAL is checkpointed so it can start over.
    func reclaimSpace() {
        do {
            try compactOnWriter(revision.withLock { $0.current }, checkpoint: SQLITE_CHECKPOINT_PASSIVE)
        } catch {
            log.warning("could not compact the full store to reuse deleted objects' space: \(error)")
        }
    }

    /// Bytes of free pages inside the database file (what deleted rows left, reused before the file grows).
    func freeInDatabase() -> Int64 {
        var pages: Int64 = 0, size: Int64 = 0
        try? writer.value.query("PRAGMA freelist_count") { pages = SQLiteConnection.int($0, 0) }
        try? writer.value.query("PRAGMA page_size") { size = SQLiteConnection.int($0, 0) }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? .max : bytes
    }

    func notifyDiskSpace(full: Bool, _ detail: String) {
        diskSpaceHandler.withLock { $0 }?(full, detail)
    }
}
