import XCTest
import EdgeAPI
@testable import EdgeRegistry

final class WriteContextTests: XCTestCase {
    func testFieldManagerDefaultsToTheUserAgentsProductAsUpstream() {
        XCTAssertEqual(WriteContext.fieldManager(fromUserAgent: "kubectl/v1.37.0 (linux/amd64) kubernetes/abc"), "kubectl")
        XCTAssertEqual(WriteContext.fieldManager(fromUserAgent: "OpenAPI-Generator/35.0.0/python"), "OpenAPI-Generator")
        XCTAssertEqual(WriteContext.fieldManager(fromUserAgent: "odd\u{7}agent/1"), "oddagent", "unprintable characters are dropped")
        XCTAssertEqual(WriteContext.fieldManager(fromUserAgent: String(repeating: "x", count: 300)).utf8.count, 128)
        XCTAssertEqual(WriteContext.fieldManager(fromUserAgent: nil), "")
    }

    func testTheStrategySeesWhoCreatesACertificateRequest() {
        var csr: JSON = ["metadata": ["name": "n"], "spec": ["username": "forged", "groups": ["system:masters"], "uid": "x"]]
        let ctx = WriteContext(user: UserInfo(name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"]))
        CertificateSigningRequestStrategy().prepareForCreate(&csr, ctx)
        XCTAssertEqual(csr[path: ["spec", "username"]], "system:bootstrap:abcdef")
        XCTAssertEqual(csr[path: ["spec", "groups"]], ["system:bootstrappers", "system:authenticated"])
        XCTAssertNil(csr[path: ["spec", "uid"]])
    }

    func testStatusSplitKeepsWhatTheSubresourceMayNotChange() {
        let old: JSON = ["metadata": ["name": "d", "labels": ["a": "1"]], "spec": ["replicas": 1], "status": ["replicas": 1]]
        var main: JSON = ["metadata": ["name": "d"], "spec": ["replicas": 3], "status": ["replicas": 9]]
        StatusSplit.apply(&main, old: old, subresource: nil, hasStatus: true)
        XCTAssertEqual(main[path: ["spec", "replicas"]], 3)
        XCTAssertEqual(main[path: ["status", "replicas"]], 1)
        var status: JSON = ["metadata": ["name": "d", "labels": ["a": "2"]], "spec": ["replicas": 3], "status": ["replicas": 9]]
        StatusSplit.apply(&status, old: old, subresource: "status", hasStatus: true)
        XCTAssertEqual(status[path: ["spec", "replicas"]], 1)
        XCTAssertEqual(status[path: ["status", "replicas"]], 9)
        XCTAssertEqual(status[path: ["metadata", "labels", "a"]], "2")
    }
}
