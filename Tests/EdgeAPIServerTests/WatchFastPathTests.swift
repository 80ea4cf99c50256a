import EdgeAPI
import EdgeStore
import XCTest
@testable import EdgeAPIServer
@testable import EdgeRegistry

/// Watch events are spliced the same way: the same bytes as building the object.
final class WatchFastPathTests: XCTestCase {
    func testWatchEventsMatchTheParseAndEncodePath() async throws {
        let h = try await APITestHarness()
        for r in BuiltinResources.all {
            let strategy = try h.service.store.catalog.strategy(for: r)
            let ns: String? = r.namespaced ? "default" : nil
            var values = [ListFastPathTests.canonical(r, "w", ns, 1), ListFastPathTests.canonical(r, "w", ns, 2)]
            values += ListFastPathTests.unusual(r, "w", ns)
            for shape in [ResponseShape.object, .metadata] {
                let handler = WatchHandler(store: h.service.store, strategy: strategy, namespace: ns,
                                           options: try ListOptions(query: [:], strategy: strategy), shape: shape)
                for (i, value) in values.enumerated() {
                    let kv = KeyValue(key: r.listPrefix(namespace: ns) + "w", value: value, createRevision: 5, modRevision: Int64(10 + i))
                    let prev = KeyValue(key: kv.key, value: values[0], createRevision: 5, modRevision: 9)
                    let events = [WatchEvent(type: .put, kv: kv, prevKV: nil, isCreate: true),
                                  WatchEvent(type: .put, kv: kv, prevKV: prev, isCreate: false),
                                  WatchEvent(type: .delete, kv: kv, prevKV: nil, isCreate: false)]
                    for ev in events {
                        let fast = try handler.translate(ev).map { String(decoding: $0, as: UTF8.self) }
                        let slow = try handler.translateParsed(ev).map { String(decoding: $0, as: UTF8.self) }
                        XCTAssertNotNil(fast)
                        XCTAssertEqual(fast, slow, "\(r.plural) \(shape) value #\(i) \(ev.type)")
                    }
                }
            }
        }
    }
}
