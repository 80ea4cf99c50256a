import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// What DELETE answers, as upstream's handler and registries decide: the deleted object where the
/// registry returns it (pods, services, service accounts, namespaces), a Success Status elsewhere;
/// 200, or 202 only for a delete that waits when orphanDependents=false was asked.
final class DeleteResponseTests: XCTestCase {
    func testServicesAndServiceAccountsAnswerWithTheDeletedObject() async throws {
        let h = try await APITestHarness()
        _ = await h.call("POST", "/api/v1/namespaces/default/services",
                         ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": ["ports": [["port": 80]]]])
        let (sc, svc) = await h.call("DELETE", "/api/v1/namespaces/default/services/web")
        XCTAssertEqual(sc, 200)
        XCTAssertEqual(svc["kind"], "Service")
        XCTAssertEqual(svc[path: ["metadata", "name"]], "web")
        XCTAssertNotNil(svc[path: ["spec", "clusterIP"]]?.string)

        _ = await h.call("POST", "/api/v1/namespaces/default/serviceaccounts",
                         ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]])
        let (ac, sa) = await h.call("DELETE", "/api/v1/namespaces/default/serviceaccounts/robot")
        XCTAssertEqual(ac, 200)
        XCTAssertEqual(sa["kind"], "ServiceAccount")
    }

    func testOtherResourcesAnswerWithASuccessStatusNamingTheirGroupOnlyOutsideCore() async throws {
        let h = try await APITestHarness()
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c"))
        let (cc, status) = await h.call("DELETE", "/api/v1/namespaces/default/configmaps/c")
        XCTAssertEqual(cc, 200)
        XCTAssertEqual(status["kind"], "Status")
        XCTAssertEqual(status["status"], "Success")
        XCTAssertEqual(status[path: ["details", "kind"]], "configmaps")
        XCTAssertNil(status[path: ["details", "group"]], "the core group is omitted, as upstream's omitempty")
        XCTAssertNil(status["code"])

        _ = await h.call("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases",
                         ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "l"]])
        let (lc, ls) = await h.call("DELETE", "/apis/coordination.k8s.io/v1/namespaces/default/leases/l")
        XCTAssertEqual(lc, 200)
        XCTAssertEqual(ls[path: ["details", "group"]], "coordination.k8s.io")
    }

    func testAWaitingDeleteIs202OnlyWhenOrphanDependentsFalseWasAsked() async throws {
        let h = try await APITestHarness()
        for name in ["a", "b"] {
            var cm = h.configMap(name)
            cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", cm)
        }
        let (plain, waiting) = await h.call("DELETE", "/api/v1/namespaces/default/configmaps/a")
        XCTAssertEqual(plain, 200)
        XCTAssertEqual(waiting["kind"], "ConfigMap", "a delete that waits answers with the object")
        let (cascade, _) = await h.call("DELETE", "/api/v1/namespaces/default/configmaps/b",
                                        ["apiVersion": "v1", "kind": "DeleteOptions", "orphanDependents": false])
        XCTAssertEqual(cascade, 202)
    }

    func testErrorStatusBodiesAreUpstreamsBytes() async throws {
        let h = try await APITestHarness()
        let resp = await h.service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps/none",
                                                      clientCertificate: APITestHarness.admin))
        XCTAssertEqual(resp.status, 404)
        XCTAssertEqual(String(decoding: resp.bodyBytes, as: UTF8.self),
                       #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"none\" not found","reason":"NotFound","details":{"name":"none","kind":"configmaps"},"code":404}"# + "\n")
    }

    func testWritesToAResourceTheServerDoesNotServeAre404() async throws {
        let h = try await APITestHarness()
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let path = method == "POST" ? "/api/v1/namespaces/default/widgets" : "/api/v1/namespaces/default/widgets/w"
            let (code, status) = await h.call(method, path, h.configMap("w"),
                                              headers: method == "PATCH" ? ["content-type": "application/merge-patch+json"] : [:])
            XCTAssertEqual(code, 404, method)
            XCTAssertEqual(status["reason"], "NotFound", method)
            XCTAssertEqual(status["message"], "the server could not find the requested resource", method)
        }
        let (groupCode, _) = await h.call("POST", "/apis/example.com/v1/widgets", h.configMap("w"))
        XCTAssertEqual(groupCode, 404)
        let (discoveryCode, _) = await h.call("POST", "/apis", h.configMap("w"))
        XCTAssertEqual(discoveryCode, 405, "a discovery document exists there: the method is what is wrong")
    }
}
