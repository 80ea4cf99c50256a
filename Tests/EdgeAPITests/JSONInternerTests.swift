import XCTest
@testable import EdgeAPI

final class JSONInternerTests: XCTestCase {
    /// A pod as a ReplicaSet makes them: everything but name, uid and node is the template's.
    func pod(_ i: Int) throws -> JSON {
        try JSONParser.parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d9f8c6b5-\(i)","namespace":"default",
             "uid":"0b7e8f8e-6a4c-4b5e-9d7e-\(Int64(100_000_000_000) + Int64(i))","labels":{"app":"web","pod-template-hash":"7d9f8c6b5"},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9f8c6b5","uid":"rs-uid-0000-0000-0000-000000000001","controller":true}]},
             "spec":{"nodeName":"node-\(i % 3)","containers":[{"name":"c","image":"registry.example/busybox:1.36","terminationMessagePath":"/dev/termination-log",
             "resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}],
             "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
             "status":{"phase":"Running","podIP":"10.42.0.\(i % 250)","ratio":1.0,"ready":true,"none":null}}
            """)
    }

    func testInternedDocumentSerializesToTheSameBytes() throws {
        var interner = JSONInterner()
        for i in 0..<20 {
            let p = try pod(i)
            let interned = interner.intern(p)
            XCTAssertEqual(JSONSerializer.serialize(interned), JSONSerializer.serialize(p))
            XCTAssertTrue(JSON.identical(interned, p))
        }
    }

    func testEqualPartsOfDifferentDocumentsShareStorage() throws {
        var interner = JSONInterner()
        let a = interner.intern(try pod(1))
        let b = interner.intern(try pod(2))
        // The container list and the tolerations come from the template: one copy for both pods.
        let ca = a[path: ["spec", "containers"]]!.array!, cb = b[path: ["spec", "containers"]]!.array!
        XCTAssertTrue(JSON.sameStorage(ca, cb))
        XCTAssertTrue(JSON.sameStorage(a[path: ["spec", "tolerations"]]!.array!, b[path: ["spec", "tolerations"]]!.array!))
        // Objects that differ (metadata: names, uids) keep their own values but share their key list.
        XCTAssertFalse(JSON.sameStorage(a["metadata"]!.object!.values, b["metadata"]!.object!.values))
        XCTAssertTrue(JSON.sameStorage(a["metadata"]!.object!.keys, b["metadata"]!.object!.keys))
        // Without interning, parsing allocates every part again.
        XCTAssertFalse(JSON.sameStorage(try pod(1)[path: ["spec", "containers"]]!.array!, try pod(2)[path: ["spec", "containers"]]!.array!))
    }

    func testNumberTypesAndKeyOrderAreNotMerged() throws {
        var interner = JSONInterner()
        let one = interner.intern(["v": 1, "w": 2])
        let oneDouble = interner.intern(["v": 1.0, "w": 2])
        let swapped = interner.intern(["w": 2, "v": 1])
        guard case .double = oneDouble["v"]! else { return XCTFail("1.0 stays a double, though JSON's == calls it equal to 1") }
        guard case .int = one["v"]! else { return XCTFail("1 stays an int") }
        XCTAssertEqual(JSONSerializer.string(swapped), #"{"w":2,"v":1}"#)
        XCTAssertEqual(JSONSerializer.string(one), #"{"v":1,"w":2}"#)
    }

    func testTableStaysBounded() throws {
        var interner = JSONInterner(limit: 100)
        for i in 0..<1_000 {
            _ = interner.intern(["uid": .string("unique-value-number-\(i)"), "n": .int(Int64(i))])
            XCTAssertLessThanOrEqual(interner.count, 100 + 8)
        }
    }

    func testDeepDocumentsAreKeptAsTheyAre() throws {
        var deep: JSON = "leaf"
        for _ in 0..<(JSONInterner.maxDepth + 20) { deep = ["d": deep] }
        var interner = JSONInterner()
        XCTAssertTrue(JSON.identical(interner.intern(deep), deep))
    }
}
