import XCTest
@testable import EdgeStore

/// The Backend contract, checked the same way against every implementation so
/// the memory fake cannot drift from SQLite.
enum BackendConformance {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func crudAndCAS(_ b: any Backend) async throws {
        let r1 = try await b.create("/registry/cm/ns/a", value: bytes("v1"))
        await XCTAssertThrowsErrorAsync(try await b.create("/registry/cm/ns/a", value: bytes("x"))) {
            XCTAssertEqual($0 as? StoreError, .alreadyExists(key: "/registry/cm/ns/a"))
        }
        let r2 = try await b.update("/registry/cm/ns/a", value: bytes("v2"), expectedRevision: r1)
        XCTAssertGreaterThan(r2, r1)
        await XCTAssertThrowsErrorAsync(try await b.update("/registry/cm/ns/a", value: bytes("v3"), expectedRevision: r1)) {
            XCTAssertEqual($0 as? StoreError, .conflict(key: "/registry/cm/ns/a", currentRevision: r2))
        }
        let got = try await b.get("/registry/cm/ns/a")
        XCTAssertEqual(got?.value, bytes("v2"))
        XCTAssertEqual(got?.createRevision, r1)
        XCTAssertEqual(got?.modRevision, r2)
        await XCTAssertThrowsErrorAsync(try await b.update("/registry/cm/ns/zz", value: bytes("v"), expectedRevision: 1)) {
            XCTAssertEqual($0 as? StoreError, .notFound(key: "/registry/cm/ns/zz"))
        }
        await XCTAssertThrowsErrorAsync(try await b.delete("/registry/cm/ns/a", expectedRevision: r1)) {
            XCTAssertEqual($0 as? StoreError, .conflict(key: "/registry/cm/ns/a", currentRevision: r2))
        }
        let gone = try await b.delete("/registry/cm/ns/a", expectedRevision: r2)
        XCTAssertEqual(gone.value, bytes("v2"))
        XCTAssertGreaterThan(gone.modRevision, r2)
        let missing = try await b.get("/registry/cm/ns/a")
        XCTAssertNil(missing)
        // Re-create after delete works and gets a new createRevision.
        let r4 = try await b.create("/registry/cm/ns/a", value: bytes("again"))
        XCTAssertGreaterThan(r4, gone.modRevision)
        let current = try await b.currentRevision()
        XCTAssertEqual(current, r4)
    }

    static func listPagingAndHistory(_ b: any Backend) async throws {
        var revs: [Int64] = []
        for i in 0..<5 { revs.append(try await b.create("/registry/p/ns/k\(i)", value: bytes("\(i)"))) }
        _ = try await b.create("/registry/px/other", value: bytes("not in prefix"))
        let all = try await b.list(prefix: "/registry/p/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(all.items.map(\.key), (0..<5).map { "/registry/p/ns/k\($0)" })
        XCTAssertFalse(all.more)
        let page1 = try await b.list(prefix: "/registry/p/", revision: 0, startAfter: nil, limit: 2)
        XCTAssertEqual(page1.items.count, 2)
        XCTAssertTrue(page1.more)
        let page2 = try await b.list(prefix: "/registry/p/", revision: page1.revision, startAfter: page1.items.last!.key, limit: 2)
        XCTAssertEqual(page2.items.map(\.key), ["/registry/p/ns/k2", "/registry/p/ns/k3"])
        // History: the list at an old revision sees the old world.
        _ = try await b.update("/registry/p/ns/k0", value: bytes("changed"), expectedRevision: revs[0])
        _ = try await b.delete("/registry/p/ns/k1", expectedRevision: nil)
        let old = try await b.list(prefix: "/registry/p/", revision: revs[4], startAfter: nil, limit: 0)
        XCTAssertEqual(old.items.count, 5)
        XCTAssertEqual(old.items[0].value, bytes("0"))
        let now = try await b.list(prefix: "/registry/p/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(now.items.count, 4)
        XCTAssertEqual(now.items[0].value, bytes("changed"))
        let n = try await b.count(prefix: "/registry/p/")
        XCTAssertEqual(n, 4)
    }

    static func watchReplayThenLiveNoGapNoDuplicate(_ b: any Backend) async throws {
        let start = try await b.currentRevision()
        // History before the watch starts.
        for i in 0..<20 { _ = try await b.create("/registry/w/a\(i)", value: bytes("\(i)")) }
        let stream = b.watch(prefix: "/registry/w/", afterRevision: start)
        // 16 concurrent writers while the watch catches up.
        try await withThrowingTaskGroup(of: Void.self) { g in
            for w in 0..<16 {
                g.addTask {
                    for i in 0..<20 { _ = try await b.create("/registry/w/c\(w)-\(i)", value: bytes("x")) }
                }
            }
            try await g.waitForAll()
        }
        _ = try await b.create("/registry/other/x", value: bytes("outside prefix"))
        var seen: [Int64] = []
        for try await ev in stream {
            XCTAssertTrue(ev.kv.key.hasPrefix("/registry/w/"))
            seen.append(ev.kv.modRevision)
            if seen.count == 20 + 16 * 20 { break }
        }
        XCTAssertEqual(seen.count, 340)
        XCTAssertEqual(seen, seen.sorted(), "events in revision order")
        XCTAssertEqual(Set(seen).count, seen.count, "no duplicates")
        XCTAssertEqual(seen.first, start + 1)
    }

    static func watchDeleteAndUpdateCarryPrevious(_ b: any Backend) async throws {
        let r1 = try await b.create("/registry/d/x", value: bytes("one"))
        let stream = b.watch(prefix: "/registry/d/", afterRevision: r1)
        let r2 = try await b.update("/registry/d/x", value: bytes("two"), expectedRevision: r1)
        _ = try await b.delete("/registry/d/x", expectedRevision: r2)
        var events: [WatchEvent] = []
        for try await e in stream { events.append(e); if events.count == 2 { break } }
        XCTAssertEqual(events[0].type, .put)
        XCTAssertEqual(events[0].prevKV?.value, bytes("one"))
        XCTAssertEqual(events[1].type, .delete)
        XCTAssertEqual(events[1].kv.value, bytes("two"))
        XCTAssertEqual(events[1].kv.modRevision, r2 + 1)
    }

    static func compaction(_ b: any Backend) async throws {
        let r1 = try await b.create("/registry/c/k", value: bytes("1"))
        let r2 = try await b.update("/registry/c/k", value: bytes("2"), expectedRevision: r1)
        let r3 = try await b.create("/registry/c/gone", value: bytes("g"))
        _ = try await b.delete("/registry/c/gone", expectedRevision: r3)
        let mark = try await b.currentRevision()
        _ = try await b.update("/registry/c/k", value: bytes("3"), expectedRevision: r2)
        try await b.compact(revision: mark)
        let at = try await b.compactedRevision()
        XCTAssertEqual(at, mark)
        await XCTAssertThrowsErrorAsync(try await b.list(prefix: "/registry/c/", revision: r1, startAfter: nil, limit: 0)) {
            guard case .compacted? = $0 as? StoreError else { return XCTFail("expected compacted, got \($0)") }
        }
        var failed: Error?
        do { for try await _ in b.watch(prefix: "/registry/c/", afterRevision: r1) { break } } catch { failed = error }
        guard case .compacted? = failed as? StoreError else { return XCTFail("watch from a compacted revision must fail, got \(String(describing: failed))") }
        // The list at the compaction point still works and shows the world then.
        let atMark = try await b.list(prefix: "/registry/c/", revision: mark, startAfter: nil, limit: 0)
        XCTAssertEqual(atMark.items.map(\.key), ["/registry/c/k"])
        XCTAssertEqual(atMark.items[0].value, bytes("2"))
        let now = try await b.get("/registry/c/k")
        XCTAssertEqual(now?.value, bytes("3"))
    }
}

extension BackendConformance {
    /// The datastore dies under write load and comes back: writes fail with `.unavailable` meanwhile (the
    /// API server's 503), then work again by themselves; a watch opened before sees every acknowledged
    /// write exactly once, in revision order, with no gap (nothing else writes under the prefix).
    static func watchSurvivesStoreRestart(_ b: any Backend, kill: () throws -> Void, restart: () throws -> Void) async throws {
        let start = try await b.currentRevision()
        let stream = b.watch(prefix: "/registry/r/", afterRevision: start)
        var acked: [Int64] = []
        for i in 0..<20 { acked.append(try await b.create("/registry/r/before-\(i)", value: bytes("\(i)"))) }
        try kill()
        var sawUnavailable = false
        for _ in 0..<50 {
            do {
                acked.append(try await b.create("/registry/r/down-\(acked.count)", value: bytes("x")))
            } catch StoreError.unavailable {
                sawUnavailable = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertTrue(sawUnavailable, "a write while the store is down fails with .unavailable")
        try restart()
        var recovered = false
        for _ in 0..<200 {
            do {
                acked.append(try await b.create("/registry/r/after-\(acked.count)", value: bytes("y")))
                recovered = true
                break
            } catch StoreError.unavailable {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertTrue(recovered, "writes work again by themselves once the store is back")
        for i in 0..<20 { acked.append(try await b.create("/registry/r/later-\(i)", value: bytes("\(i)"))) }
        var seen: [Int64] = []
        for try await ev in stream {
            seen.append(ev.kv.modRevision)
            if seen.count == acked.count { break }
        }
        XCTAssertEqual(seen, acked, "every acknowledged write once, in order")
        XCTAssertEqual(seen, Array(start + 1...start + Int64(acked.count)), "revision continuity: no gap")
    }
}

func XCTAssertThrowsErrorAsync<T>(_ expr: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line,
                                  _ check: (Error) -> Void = { _ in }) async {
    do {
        _ = try await expr()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        check(error)
    }
}
