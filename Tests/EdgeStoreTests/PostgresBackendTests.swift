import XCTest
@testable import EdgeStore

/// Every store test against a real PostgreSQL 15 through edgectl's own wire-protocol client
/// (SCRAM-SHA-256 over TCP), each test on a database of its own.
final class PostgresBackendTests: XCTestCase {
    nonisolated(unsafe) static var cluster: PostgresTestCluster?
    var backend: PostgresBackend!

    override class func setUp() {
        cluster = try? PostgresTestCluster()
    }

    override class func tearDown() {
        cluster = nil
    }

    func pg() throws -> PostgresTestCluster {
        guard let c = Self.cluster else { return try PostgresTestCluster() } // fails with the reason
        return c
    }

    override func setUp() async throws {
        backend = try await PostgresBackend.open(dsn: try pg().freshDatabase())
    }

    override func tearDown() async throws {
        await backend?.close()
        backend = nil
    }

    func testCRUDAndCAS() async throws { try await BackendConformance.crudAndCAS(backend) }
    func testListPagingAndHistory() async throws { try await BackendConformance.listPagingAndHistory(backend) }
    func testWatchReplayThenLive() async throws { try await BackendConformance.watchReplayThenLiveNoGapNoDuplicate(backend) }
    func testWatchCarriesPrevious() async throws { try await BackendConformance.watchDeleteAndUpdateCarryPrevious(backend) }
    func testCompaction() async throws { try await BackendConformance.compaction(backend) }

    func testSchemaVersionIsRecordedAndMigrationsRunOnce() async throws {
        let dsn = try pg().freshDatabase()
        let first = try await PostgresBackend.open(dsn: dsn)
        let r = try await first.create("/m/a", value: [1])
        let version = try await first.schemaVersion()
        XCTAssertEqual(version, KVSchema.postgres.latestVersion)
        await first.close()
        let again = try await PostgresBackend.open(dsn: dsn)
        let kept = try await again.get("/m/a")
        XCTAssertEqual(kept?.modRevision, r, "reopening migrates nothing twice and keeps the data")
        await again.close()
    }

    func testRefusesASchemaNewerThanItKnows() async throws {
        let dsn = try pg().freshDatabase()
        let b = try await PostgresBackend.open(dsn: dsn)
        await b.close()
        XCTAssertEqual(try pg().psql(dsn.database, "UPDATE edgectl_meta SET v = 999 WHERE k = 'schema_version'"), 0)
        await XCTAssertThrowsErrorAsync(try await PostgresBackend.open(dsn: dsn)) {
            XCTAssertTrue("\($0)".contains("newer than this edgectl knows"), "\($0)")
        }
    }

    func testWrongPasswordFailsWithoutShowingIt() async throws {
        var dsn = try pg().freshDatabase()
        dsn.password = "not-the-secret-\(UInt32.random(in: 1...UInt32.max))"
        let wrong = dsn.password!
        do {
            _ = try await PostgresBackend.open(dsn: dsn)
            XCTFail("a wrong password must be refused")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("authentication failed"), text)
            XCTAssertFalse(text.contains(wrong), "the password must not be in the error: \(text)")
            XCTAssertFalse(text.contains(try pg().password), text)
        }
        XCTAssertFalse("\(DatastoreEndpoint.postgres(dsn))".contains(wrong))
    }

    func testTwoServersOnOneDatabaseSeeEachOthersWrites() async throws {
        let dsn = try pg().freshDatabase()
        let other = try await PostgresBackend.open(dsn: dsn)
        let mine = try await PostgresBackend.open(dsn: dsn)
        defer { Task { await other.close(); await mine.close() } }
        let start = try await mine.currentRevision()
        let stream = mine.watch(prefix: "/x/", afterRevision: start)
        try await withThrowingTaskGroup(of: Void.self) { g in
            for (i, b) in [other, mine].enumerated() {
                g.addTask { for n in 0..<50 { _ = try await b.create("/x/\(i)-\(n)", value: [UInt8(n)]) } }
            }
            try await g.waitForAll()
        }
        var seen: [Int64] = []
        for try await ev in stream {
            seen.append(ev.kv.modRevision)
            if seen.count == 100 { break }
        }
        XCTAssertEqual(seen, Array(start + 1...start + 100), "every write of both servers, in order, no gap, no duplicate")
    }

    /// On a PostgreSQL of its own: it is killed and restarted.
    func testWatchSurvivesPostgresRestart() async throws {
        let own = try PostgresTestCluster()
        let b = try await PostgresBackend.open(dsn: try own.freshDatabase())
        try await BackendConformance.watchSurvivesStoreRestart(b, kill: { own.kill() }, restart: { try own.restart() })
        await b.close()
    }
}
