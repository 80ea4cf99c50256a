import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore
import Dispatch
import Synchronization

final class SQLiteBackendTests: TemporaryDirectoryTestCase {
    func open() throws -> SQLiteBackend { try SQLiteBackend(path: dir + "/state.db") }

    func testCRUDAndCAS() async throws { try await BackendConformance.crudAndCAS(try open()) }
    func testListPagingAndHistory() async throws { try await BackendConformance.listPagingAndHistory(try open()) }
    func testWatchReplayThenLive() async throws { try await BackendConformance.watchReplayThenLiveNoGapNoDuplicate(try open()) }
    func testWatchCarriesPrevious() async throws { try await BackendConformance.watchDeleteAndUpdateCarryPrevious(try open()) }
    func testCompaction() async throws { try await BackendConformance.compaction(try open()) }

    func testReopenKeepsDataAndRevisionsOnlyGrow() async throws {
        var b: SQLiteBackend? = try open()
        let r1 = try await b!.create("/k/a", value: Array("1".utf8))
        let r2 = try await b!.create("/k/b", value: Array("2".utf8))
        _ = try await b!.delete("/k/b", expectedRevision: r2)
        try await b!.compact(revision: try await b!.currentRevision())
        await b!.close()
        b = nil
        let again = try open()
        let a = try await again.get("/k/a")
        XCTAssertEqual(a?.modRevision, r1)
        let rev = try await again.currentRevision()
        XCTAssertEqual(rev, r2 + 1, "the deletion's revision is remembered even though compaction removed its row")
        let r3 = try await again.create("/k/c", value: [1])
        XCTAssertEqual(r3, r2 + 2)
        let compacted = try await again.compactedRevision()
        XCTAssertEqual(compacted, r2 + 1)
    }

    func testConcurrentWritesAreGroupCommitted() async throws {
        let b = try open()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for w in 0..<16 {
                g.addTask { for i in 0..<25 { _ = try await b.create("/g/\(w)/\(i)", value: Array(repeating: 1, count: 1500)) } }
            }
            try await g.waitForAll()
        }
        let (tx, ops, _) = b.stats.withLock { $0 }
        XCTAssertEqual(ops, 400)
        XCTAssertLessThan(tx, ops, "concurrent writes share transactions")
    }

    /// Holds the writer's queue (for up to 10 s), starts a create of `key` and waits until that write either
    /// queued for the writer or was committed inline on its caller's thread. Returns which, the semaphore that
    /// frees the queue, and the write.
    private func createBehindAHeldQueue(_ b: SQLiteBackend, _ key: String) async throws
        -> (committedInline: Bool, release: DispatchSemaphore, write: Task<Void, Error>) {
        let release = DispatchSemaphore(value: 0)
        b.writerQueue.async { _ = release.wait(timeout: .now() + 10) }
        let committed = Mutex(false)
        let write = Task {
            _ = try await b.create(key, value: [1])
            committed.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while b.pending.withLock({ $0.ops.count }) == 0 && !committed.withLock({ $0 }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return (committed.withLock { $0 }, release, write)
    }

    private func waitUntilNoCommitIsUnderWay(_ b: SQLiteBackend) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while b.pending.withLock({ $0.draining }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func testALoneWriteIsCommittedWithoutTheWritersQueue() async throws {
        let b = try open()
        b.pending.withLock { $0.slowCommit = .seconds(3600) } // a loaded machine's fsync must not send writes to the queue here
        // The writer's queue is held up (by up to 10 s): a write with no group forming must not wait for it.
        let release = DispatchSemaphore(value: 0)
        let queueFreed = Mutex(false)
        b.writerQueue.async {
            _ = release.wait(timeout: .now() + 10)
            queueFreed.withLock { $0 = true }
        }
        let rev = try await b.create("/inline/a", value: Array("1".utf8))
        try await waitUntilNoCommitIsUnderWay(b)
        let updated = try await b.update("/inline/a", value: Array("2".utf8), expectedRevision: rev)
        try await waitUntilNoCommitIsUnderWay(b)
        let deleted = try await b.delete("/inline/a", expectedRevision: updated)
        XCTAssertFalse(queueFreed.withLock { $0 }, "the writes waited for the writer's queue")
        release.signal()
        XCTAssertEqual(deleted.modRevision, rev + 2)
        let (tx, ops, inline) = b.stats.withLock { $0 }
        XCTAssertEqual(tx, 3)
        XCTAssertEqual(ops, 3)
        XCTAssertEqual(inline, 3)
        let gone = try await b.get("/inline/a")
        XCTAssertNil(gone)
    }

    func testWritesThatCameTogetherGoToTheWritersQueueUntilTheyComeAloneAgain() async throws {
        let b = try open()
        // The last commit found three writes together: the next one is queued for the writer, not committed inline.
        b.pending.withLock {
            $0.lastGroup = 3
            $0.slowCommit = .seconds(3600)
        }
        let (committedInline, release, write) = try await createBehindAHeldQueue(b, "/group/a")
        XCTAssertFalse(committedInline, "committed inline although writes were coming together")
        XCTAssertEqual(b.pending.withLock { $0.ops.count }, 1)
        release.signal()
        try await write.value
        XCTAssertEqual(b.stats.withLock { $0.inline }, 0)
        // That commit was alone: the writes after it are committed inline again. Each waits until the
        // previous commit's thread has let go (it resumes the writer before it marks itself done; a
        // write in between would join its queue, as it should).
        for i in 0..<5 {
            try await waitUntilNoCommitIsUnderWay(b)
            _ = try await b.create("/group/n\(i)", value: [2])
        }
        XCTAssertEqual(b.stats.withLock { $0.inline }, 5)
    }

    func testAfterASlowCommitALoneWriteGoesToTheWritersQueue() async throws {
        let b = try open()
        // The last commit waited long for the disk (a slow card): the next lone write must not wait in its caller's thread.
        b.pending.withLock { $0.lastCommitSlow = true }
        let (committedInline, release, write) = try await createBehindAHeldQueue(b, "/slow/a")
        XCTAssertFalse(committedInline, "committed inline after a slow commit")
        release.signal()
        try await write.value
        XCTAssertEqual(b.stats.withLock { $0.inline }, 0)
    }

    func testInlineCommitsAreDurableAndInOrderAcrossReopen() async throws {
        var b: SQLiteBackend? = try open()
        var revs: [Int64] = []
        for i in 0..<20 { revs.append(try await b!.create("/durable/\(i)", value: [UInt8(i)])) }
        XCTAssertEqual(revs, Array(revs[0]...(revs[0] + 19)), "one revision after the other")
        await b!.close()
        b = nil
        let again = try open()
        let rows = try await again.list(prefix: "/durable/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(rows.items.count, 20)
        let last = try await again.get("/durable/19")
        XCTAssertEqual(last?.value, [19])
        XCTAssertEqual(last?.modRevision, revs[19])
    }

    func testCompactionBesideInlineWritesKeepsEveryWrite() async throws {
        let b = try open()
        var rev = try await b.create("/cw/k", value: [0])
        try await withThrowingTaskGroup(of: Void.self) { g in
            g.addTask { for i in 0..<100 { _ = try await b.create("/cw/n\(i)", value: [1]) } }
            for _ in 0..<20 {
                rev = try await b.update("/cw/k", value: [2], expectedRevision: rev)
                try await b.compact(revision: rev)
            }
            try await g.waitForAll()
        }
        let n = try await b.count(prefix: "/cw/")
        XCTAssertEqual(n, 101)
        let ops = b.stats.withLock { $0.operations }
        XCTAssertEqual(ops, 121)
    }

    func testAPointReadDoesNotWaitForTheReaderQueue() async throws {
        let b = try open()
        _ = try await b.create("/read/a", value: Array("v".utf8))
        let release = DispatchSemaphore(value: 0)
        let queueFreed = Mutex(false)
        b.readerQueue.async(flags: .barrier) {
            _ = release.wait(timeout: .now() + 10)
            queueFreed.withLock { $0 = true }
        }
        let got = try await b.get("/read/a")
        XCTAssertFalse(queueFreed.withLock { $0 }, "the read waited for the reader queue")
        release.signal()
        XCTAssertEqual(got?.value, Array("v".utf8))
        let missing = try await b.get("/read/none")
        XCTAssertNil(missing)
    }

    func testFailedOpDoesNotFailItsBatch() async throws {
        let b = try open()
        _ = try await b.create("/f/taken", value: [1])
        let results = await withTaskGroup(of: Bool.self, returning: [Bool].self) { g in
            for i in 0..<20 {
                g.addTask { (try? await b.create(i % 2 == 0 ? "/f/taken" : "/f/new\(i)", value: [2])) != nil }
            }
            return await g.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 }.count, 10)
        let n = try await b.count(prefix: "/f/")
        XCTAssertEqual(n, 11)
    }

    func testWALStaysBoundedAfterCompaction() async throws {
        let b = try open()
        var rev: Int64 = try await b.create("/wal/k", value: Array(repeating: 7, count: 4000))
        for _ in 0..<3000 { rev = try await b.update("/wal/k", value: Array(repeating: 7, count: 4000), expectedRevision: rev) }
        try await b.compact(revision: rev)
        XCTAssertLessThan(b.walSize(), 16 * 1024 * 1024, "journal_size_limit keeps the WAL small")
        let rows = try await b.list(prefix: "/wal/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(rows.items.count, 1)
    }

    /// The ring of recent events holds at most about a megabyte of values, however
    /// big the objects: a watcher from further back is served from the database,
    /// with every event, in order.
    func testRecentEventRingIsBoundedInBytes() async throws {
        let b = try open()
        let value = Array(repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for i in 0..<100 { _ = try await b.create("/ring/k\(i)", value: value) }
        let usage = b.hub.ringUsage
        XCTAssertLessThanOrEqual(usage.bytes, b.hub.ringByteLimit + 64 * 1024 + 256)
        XCTAssertLessThan(usage.events, 100)
        XCTAssertGreaterThan(usage.events, 0)
        var seen: [String] = []
        for try await e in b.watch(prefix: "/ring/", afterRevision: 0) {
            seen.append(e.kv.key)
            XCTAssertEqual(e.kv.value.count, value.count)
            if seen.count == 100 { break }
        }
        XCTAssertEqual(seen, (0..<100).map { "/ring/k\($0)" })
    }

    /// Values kept in the ring are copies sized to their content, not the
    /// writer's buffers with their spare capacity.
    func testRingKeepsValuesWithoutSpareCapacity() {
        var roomy: [UInt8] = []
        roomy.reserveCapacity(8192)
        roomy.append(contentsOf: Array(repeating: 1, count: 1500))
        let e = WatchEvent(type: .put, kv: KeyValue(key: "/k", value: roomy, createRevision: 1, modRevision: 1), prevKV: nil, isCreate: true)
        let kept = WatchHub.compacted(e)
        XCTAssertEqual(kept.kv.value, roomy)
        XCTAssertLessThan(kept.kv.value.capacity, 2000)
    }

    func testReleaseMemoryFreesThePageCaches() async throws {
        let b = try open()
        let value = Array(repeating: UInt8(ascii: "y"), count: 1500)
        for i in 0..<2000 { _ = try await b.create("/mem/k\(i)", value: value) }
        _ = try await b.list(prefix: "/mem/", revision: 0, startAfter: nil, limit: 0)
        let before = SQLiteBackend.heapInUse()
        await b.releaseMemory()
        let after = SQLiteBackend.heapInUse()
        XCTAssertLessThan(after, before - 1_000_000, "page caches freed: \(before) -> \(after) bytes")
        let again = try await b.list(prefix: "/mem/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(again.items.count, 2000)
    }

    /// A quiet moment after a burst empties the ring of recent events too (it held
    /// up to a megabyte of the burst's objects for as long as nothing else was
    /// written): watchers from the present need nothing from it, and a watcher
    /// from further back gets every event from the database, in order, as before.
    func testReleaseMemoryEmptiesTheEventRingWithoutLosingHistory() async throws {
        let b = try open()
        let value = Array(repeating: UInt8(ascii: "z"), count: 1500)
        var rev: Int64 = 0
        for i in 0..<50 { rev = try await b.create("/idle/k\(i)", value: value) }
        XCTAssertEqual(b.hub.ringUsage.events, 50)
        await b.releaseMemory()
        XCTAssertEqual(b.hub.ringUsage.events, 0, "the burst's events are no longer held")
        XCTAssertEqual(b.hub.ringUsage.bytes, 0)

        var fromStart: [String] = []
        for try await e in b.watch(prefix: "/idle/", afterRevision: 0) {
            fromStart.append(e.kv.key)
            XCTAssertEqual(e.kv.value, value)
            if fromStart.count == 50 { break }
        }
        XCTAssertEqual(fromStart, (0..<50).map { "/idle/k\($0)" }, "history replayed from the database")

        // A watcher from the present sees only what comes next, and the ring fills again.
        let live = b.watch(prefix: "/idle/", afterRevision: rev)
        let next = try await b.create("/idle/after", value: value)
        for try await e in live {
            XCTAssertEqual(e.kv.key, "/idle/after")
            XCTAssertEqual(e.kv.modRevision, next)
            break
        }
        XCTAssertEqual(b.hub.ringUsage.events, 1)
    }

    /// Pages read at past and present revisions, through updates, deletes and
    /// re-creates, with neighbouring prefixes around: the same items and the
    /// same `more` as the memory backend given the same writes (the list query
    /// stops at its limit instead of grouping the whole prefix first).
    func testListPagesMatchTheMemoryBackendAtEveryRevision() async throws {
        let sql = try open()
        let mem = MemoryBackend()
        var rng = SystemRandomNumberGenerator()
        var revisions: [Int64] = []
        func both(_ op: (any Backend) async throws -> Int64) async throws {
            let a = try await op(sql)
            let b = try await op(mem)
            XCTAssertEqual(a, b)
            revisions.append(a)
        }
        for i in 0..<60 { try await both { try await $0.create("/p/a/k\(i)", value: [UInt8(i)]) } }
        for i in 0..<5 { try await both { try await $0.create("/p/b/k\(i)", value: [1]) } }
        try await both { try await $0.create("/p/a", value: [2]) }
        for round in 0..<3 {
            for i in stride(from: round, to: 60, by: 4) {
                let key = "/p/a/k\(i)"
                let cur = try await sql.get(key)
                if let cur, Int.random(in: 0..<3, using: &rng) == 0 {
                    try await both { try await $0.delete(key, expectedRevision: cur.modRevision).modRevision }
                } else if let cur {
                    try await both { try await $0.update(key, value: [UInt8(round), UInt8(i)], expectedRevision: cur.modRevision) }
                } else {
                    try await both { try await $0.create(key, value: [9, UInt8(i)]) }
                }
            }
        }
        for at in [Int64(0), revisions[30], revisions[70], revisions[90], revisions.last!] {
            for limit in [0, 1, 7, 25] {
                var startAfter: String?
                var pages = 0
                while pages < 100 {
                    let a = try await sql.list(prefix: "/p/a/", revision: at, startAfter: startAfter, limit: limit)
                    let b = try await mem.list(prefix: "/p/a/", revision: at, startAfter: startAfter, limit: limit)
                    XCTAssertEqual(a.items, b.items, "at \(at) limit \(limit) page \(pages)")
                    XCTAssertEqual(a.more, b.more)
                    XCTAssertEqual(a.revision, b.revision)
                    pages += 1
                    guard a.more, let last = a.items.last?.key else { break }
                    startAfter = last
                }
            }
        }
    }
}

extension SQLiteBackendTests {
    func testSnapshotWhileWritingAndRestorePastTheReplacedRevisions() async throws {
        let path = dir + "/state.db"
        let b = try open()
        var acked: [String: Int64] = [:]
        for i in 0..<50 { acked["/s/\(i)"] = try await b.create("/s/\(i)", value: [UInt8(i)]) }
        let writer = Task { for i in 50..<400 { _ = try? await b.create("/s/\(i)", value: [1]) } }
        try SQLiteBackend.snapshot(path: path, to: dir + "/snap.db")
        await writer.value
        let last = try await b.currentRevision()
        await b.close()
        XCTAssertTrue(SQLiteBackend.isSnapshot(dir + "/snap.db"))
        let r = try SQLiteBackend.restore(snapshot: dir + "/snap.db", to: path)
        XCTAssertGreaterThanOrEqual(r.snapshotRevision, 50, "every write acknowledged before the snapshot is in it")
        XCTAssertGreaterThan(r.revision, last, "the store starts past every revision the replaced one handed out (or reserved)")
        let again = try open()
        for (k, rev) in acked {
            let kv = try await again.get(k)
            XCTAssertEqual(kv?.modRevision, rev, k)
        }
        let compacted = try await again.compactedRevision()
        XCTAssertEqual(compacted, r.revision, "watches from before the restore get 410 and relist")
        let next = try await again.create("/after", value: [1])
        XCTAssertEqual(next, r.revision + 1)
        await again.close()
    }
}

extension SQLiteBackendTests {
    func testSchemaVersionIsRecordedAndANewerOneRefused() async throws {
        let b = try open()
        _ = try await b.create("/v/a", value: [1])
        await b.close()
        let c = try SQLiteConnection(path: dir + "/state.db", readOnly: false)
        var version: Int64 = 0
        try c.query("SELECT v FROM meta WHERE k = 'schema_version'") { version = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(version, KVSchema.sqlite.latestVersion)
        try c.exec("UPDATE meta SET v = 99 WHERE k = 'schema_version'")
        XCTAssertThrowsError(try open()) { XCTAssertTrue("\($0)".contains("newer than this edgectl knows"), "\($0)") }
    }

    func pageSize(_ b: SQLiteBackend) throws -> Int64 {
        var size: Int64 = 0
        try b.writer.value.query("PRAGMA page_size") { size = SQLiteConnection.int($0, 0) }
        return size
    }

    /// A new store uses small pages (a Lease renewal rewrites every page it touches, in full, into the WAL:
    /// what an SD card wears on); a store made with another size keeps it and works as before.
    func testNewStoresUseSmallPagesAndOldOnesKeepTheirs() async throws {
        let fresh = try open()
        XCTAssertEqual(try pageSize(fresh), Int64(SQLiteBackend.newPageSize))
        // Objects larger than a page go to overflow pages and come back whole.
        let big = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let r = try await fresh.create("/k/big", value: big)
        let got = try await fresh.get("/k/big")
        XCTAssertEqual(got?.value, big)
        XCTAssertEqual(got?.modRevision, r)
        await fresh.close()

        let oldPath = dir + "/old.db"
        do {
            let c = try SQLiteConnection(path: oldPath, readOnly: false)
            try c.exec("PRAGMA page_size=4096")
            try c.exec("PRAGMA journal_mode=WAL")
            try c.exec("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
        }
        let old = try SQLiteBackend(path: oldPath)
        XCTAssertEqual(try pageSize(old), 4096)
        let r2 = try await old.create("/k/a", value: [1, 2, 3])
        let a = try await old.get("/k/a")
        XCTAssertEqual(a?.modRevision, r2)
        await old.close()
    }
}
