import Dispatch
import Synchronization

/// The writer's use of the RevisionMark: the reserved ceiling is raised a chunk
/// ahead *before* the writer gets there, on a queue of its own, so a write
/// waits for the mark's fdatasync only if it outruns a whole half chunk (never
/// in practice); raising it is still required, and synchronous, before any
/// revision past the ceiling is committed.
final class RevisionMarkKeeper: Sendable {
    /// Held while the mark is written (an fdatasync): only writes to the mark wait on it.
    let mark: Mutex<UnsafeTransfer<RevisionMark>>
    /// The durable ceiling, read by the writer on every commit without waiting for a raise in flight.
    private let reserved: Atomic<Int64>
    let chunk: Int64
    private let raising = Mutex(false)
    private let queue = DispatchQueue(label: "edgectl.store.mark")

    init(_ mark: RevisionMark, chunk: Int64) {
        self.reserved = Atomic(mark.value.reserved)
        self.mark = Mutex(UnsafeTransfer(mark))
        self.chunk = chunk
    }

    var value: RevisionMark.Value { mark.withLock { $0.value.value } }

    /// Before committing revisions up to `ceiling` (on the writer): raises the mark first unless it covers them.
    func cover(_ ceiling: Int64, committed: Int64) throws {
        if ceiling <= reserved.load(ordering: .acquiring) { return }
        try mark.withLock { m in
            let v = m.value.value
            guard ceiling > v.reserved else { return }
            try m.value.record(.init(committed: max(v.committed, committed), reserved: SQLiteBackend.adding(ceiling, chunk)))
            reserved.store(m.value.value.reserved, ordering: .releasing)
        }
    }

    /// After a commit reached `current`: past half the chunk, raise the mark in the background.
    func raiseAhead(current: Int64) {
        guard SQLiteBackend.adding(current, chunk / 2) > reserved.load(ordering: .acquiring) else { return }
        guard raising.withLock({ r in defer { r = true }; return !r }) else { return }
        queue.async {
            defer { self.raising.withLock { $0 = false } }
            // A failure here is retried by the next commit, and a commit past the ceiling raises it itself.
            try? self.cover(SQLiteBackend.adding(current, self.chunk / 2) &+ 1, committed: current)
        }
    }

    /// Records a revision known committed (the first commit into a fresh WAL, a clean stop).
    func recordCommitted(_ revision: Int64) throws {
        try mark.withLock { m in
            let v = m.value.value
            guard revision > v.committed else { return }
            try m.value.record(.init(committed: revision, reserved: max(v.reserved, revision)))
            reserved.store(m.value.value.reserved, ordering: .releasing)
        }
    }

    /// At close: the mark exact, and the store free for another process.
    func finish(current: Int64) {
        queue.sync {}
        try? recordCommitted(current)
        mark.withLock { $0.value.unlock() }
    }
}
