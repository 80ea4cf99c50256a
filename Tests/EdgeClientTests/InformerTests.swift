import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeAPIServer
import EdgeStore
import EdgeInProcess
@testable import EdgeClient
#if canImport(Glibc)
import Glibc
#endif

/// Informers against a real APIService over the memory backend.
final class InformerTests: XCTestCase {
    static func client() async throws -> APIClient { try await LocalCluster().client }

    static let configMaps = BuiltinResources.configMaps

    func cm(_ name: String, _ v: String) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["v": .string(v)]]
    }

    func testInformerSeesListThenLiveChanges() async throws {
        let client = try await Self.client()
        _ = try await client.create(Self.configMaps, namespace: "default", cm("before", "1"))
        let informer = Informer(client: client, resource: Self.configMaps, namespace: "default")
        let seen = Recorder()
        informer.addHandler(Informer.Handler(added: { seen.add("add \(Informer.key($0))") },
                                             updated: { _, n in seen.add("update \(Informer.key(n)) \(n[path: ["data", "v"]]?.string ?? "")") },
                                             deleted: { seen.add("delete \(Informer.key($0))") }))
        let run = Task { await informer.run() }
        await informer.waitForSync()
        XCTAssertNotNil(informer.get("default/before"))
        _ = try await client.create(Self.configMaps, namespace: "default", cm("live", "1"))
        _ = try await client.mergePatch(Self.configMaps, namespace: "default", name: "live", ["data": ["v": "2"]])
        try await client.delete(Self.configMaps, namespace: "default", name: "before")
        try await eventually("four events seen") { seen.all.count >= 4 }
        XCTAssertEqual(seen.all, ["add default/before", "add default/live", "update default/live 2", "delete default/before"])
        XCTAssertNil(informer.get("default/before"))
        XCTAssertEqual(informer.get("default/live")?[path: ["data", "v"]]?.string, "2")
        run.cancel()
    }

    /// The intern table keeps parts of objects seen (up to its entry limit) after
    /// they left the cache: every version of an object updated a few thousand
    /// times stayed in memory. A quiet moment empties every informer's table; the
    /// cache keeps its objects, equal to what was listed.
    func testReleasingInternTablesKeepsTheCache() async throws {
        let client = try await Self.client()
        for i in 0..<20 { _ = try await client.create(Self.configMaps, namespace: "default", cm("c\(i)", "a value longer than fifteen bytes \(i)")) }
        let informer = Informer(client: client, resource: Self.configMaps, namespace: "default")
        let run = Task { await informer.run() }
        defer { run.cancel() }
        await informer.waitForSync()
        XCTAssertGreaterThan(informer.internedCount, 0)
        Informer.releaseInternTables()
        XCTAssertEqual(informer.internedCount, 0, "the table is emptied")
        XCTAssertEqual(informer.count, 20)
        XCTAssertEqual(informer.get("default/c7")?[path: ["data", "v"]]?.string, "a value longer than fifteen bytes 7")
        _ = try await client.create(Self.configMaps, namespace: "default", cm("after", "a value longer than fifteen bytes"))
        try await eventually("default/after in the cache") { informer.get("default/after") != nil }
        XCTAssertGreaterThan(informer.internedCount, 0, "and fills again from the next objects")
    }

    func testClientErrorsCarryStatus() async throws {
        let client = try await Self.client()
        do {
            _ = try await client.get(Self.configMaps, namespace: "default", name: "missing")
            XCTFail("expected 404")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 404)
            XCTAssertEqual(e.reason, "NotFound")
        }
        let missing = try await client.getIfExists(Self.configMaps, namespace: "default", name: "missing")
        XCTAssertNil(missing)
    }
}

final class Recorder: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLockLite()
    func add(_ s: String) { lock.run { items.append(s) } }
    var all: [String] { lock.run { items } }
}

/// A tiny lock for test helpers (no Foundation).
final class NSLockLite: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    func run<T>(_ f: () -> T) -> T { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return f() }
}
