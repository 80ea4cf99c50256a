import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

final class ObjectStoreTests: XCTestCase {
    func testCreateSetsSystemMetadataAndGetReturnsIt() async throws {
        let h = try await APITestHarness()
        let (code, created) = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        XCTAssertEqual(code, 201)
        XCTAssertNotNil(created[path: ["metadata", "uid"]]?.string)
        XCTAssertNotNil(created[path: ["metadata", "creationTimestamp"]]?.string)
        XCTAssertEqual(created[path: ["metadata", "namespace"]]?.string, "default")
        let rv = created[path: ["metadata", "resourceVersion"]]?.string
        XCTAssertNotNil(rv)
        let (gc, got) = await h.call("GET", "/api/v1/namespaces/default/configmaps/a")
        XCTAssertEqual(gc, 200)
        XCTAssertEqual(got, created)
    }

    func testDuplicateCreateIs409AlreadyExists() async throws {
        let h = try await APITestHarness()
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        let (code, status) = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        XCTAssertEqual(code, 409)
        XCTAssertEqual(status["reason"]?.string, "AlreadyExists")
        XCTAssertEqual(status["message"]?.string, "configmaps \"a\" already exists")
    }

    func testGenerateName() async throws {
        let h = try await APITestHarness()
        let (code, o) = await h.call("POST", "/api/v1/namespaces/default/configmaps",
                                     ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]])
        XCTAssertEqual(code, 201)
        let name = o[path: ["metadata", "name"]]?.string ?? ""
        XCTAssertTrue(name.hasPrefix("gen-") && name.count == 9, name)
    }

    func testStaleUpdateIs409AndUnconditionalUpdateWins() async throws {
        let h = try await APITestHarness()
        let (_, v1) = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        var v2 = v1
        v2["data"] = ["k": "v2"]
        let (c2, _) = await h.call("PUT", "/api/v1/namespaces/default/configmaps/a", v2)
        XCTAssertEqual(c2, 200)
        var stale = v1
        stale["data"] = ["k": "v3"]
        let (c3, s3) = await h.call("PUT", "/api/v1/namespaces/default/configmaps/a", stale)
        XCTAssertEqual(c3, 409)
        XCTAssertEqual(s3["reason"]?.string, "Conflict")
        var unconditional = stale
        unconditional[path: ["metadata", "resourceVersion"]] = nil
        let (c4, s4) = await h.call("PUT", "/api/v1/namespaces/default/configmaps/a", unconditional)
        XCTAssertEqual(c4, 200)
        XCTAssertEqual(s4["data"], ["k": "v3"])
    }

    func testNoOpUpdateKeepsResourceVersion() async throws {
        let h = try await APITestHarness()
        let (_, v1) = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        let (c, same) = await h.call("PUT", "/api/v1/namespaces/default/configmaps/a", v1)
        XCTAssertEqual(c, 200)
        XCTAssertEqual(same[path: ["metadata", "resourceVersion"]], v1[path: ["metadata", "resourceVersion"]])
    }

    func testMissingNamespaceIs404AndNameMismatchIs400() async throws {
        let h = try await APITestHarness()
        let (c1, s1) = await h.call("POST", "/api/v1/namespaces/nope/configmaps", h.configMap("a"))
        XCTAssertEqual(c1, 404)
        XCTAssertEqual(s1["message"]?.string, "namespaces \"nope\" not found")
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("a"))
        let (c2, _) = await h.call("PUT", "/api/v1/namespaces/default/configmaps/a", h.configMap("b"))
        XCTAssertEqual(c2, 400)
    }

    func testListPagingIsConsistentAcrossPages() async throws {
        let h = try await APITestHarness()
        for i in 0..<5 { _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c\(i)")) }
        let (_, p1) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=2")
        XCTAssertEqual(p1["items"]?.array?.count, 2)
        let token = p1[path: ["metadata", "continue"]]?.string ?? ""
        XCTAssertFalse(token.isEmpty)
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c9"))
        var names = (p1["items"]?.array ?? []).compactMap { $0[path: ["metadata", "name"]]?.string }
        var next: String? = token
        while let t = next {
            let (code, p) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(t)")
            XCTAssertEqual(code, 200)
            XCTAssertEqual(p[path: ["metadata", "resourceVersion"]], p1[path: ["metadata", "resourceVersion"]])
            names += (p["items"]?.array ?? []).compactMap { $0[path: ["metadata", "name"]]?.string }
            next = p[path: ["metadata", "continue"]]?.string
        }
        XCTAssertEqual(names, ["c0", "c1", "c2", "c3", "c4"])
    }

    func testLabelSelectorFiltersListsAndPagesFill() async throws {
        let h = try await APITestHarness()
        for i in 0..<6 {
            _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("l\(i)", labels: ["even": .string(i % 2 == 0 ? "yes" : "no")]))
        }
        let (_, p) = await h.call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=even%3Dyes&limit=2")
        XCTAssertEqual((p["items"]?.array ?? []).compactMap { $0[path: ["metadata", "name"]]?.string }, ["l0", "l2"])
        XCTAssertNotNil(p[path: ["metadata", "continue"]]?.string)
    }

    func testDeleteWithFinalizerWaitsThenCompletesWhenFinalizerRemoved() async throws {
        let h = try await APITestHarness()
        var cm = h.configMap("f")
        cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", cm)
        let (dc, pending) = await h.call("DELETE", "/api/v1/namespaces/default/configmaps/f")
        XCTAssertEqual(dc, 200, "upstream answers 200 with the object while it waits")
        XCTAssertNotNil(pending[path: ["metadata", "deletionTimestamp"]])
        let (pc, _) = await h.call("PATCH", "/api/v1/namespaces/default/configmaps/f", ["metadata": ["finalizers": nil]],
                                   headers: ["content-type": "application/merge-patch+json"])
        XCTAssertEqual(pc, 200)
        let (gc, _) = await h.call("GET", "/api/v1/namespaces/default/configmaps/f")
        XCTAssertEqual(gc, 404)
    }

    func testDeletePreconditionMismatchIs409() async throws {
        let h = try await APITestHarness()
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("p"))
        let (c, s) = await h.call("DELETE", "/api/v1/namespaces/default/configmaps/p",
                                  ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "not-the-uid"]])
        XCTAssertEqual(c, 409)
        XCTAssertTrue(s["message"]?.string?.contains("Precondition failed") ?? false)
    }

    func testStatusSubresourceOnlyChangesStatus() async throws {
        let h = try await APITestHarness()
        let dep: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                         "spec": ["replicas": 1, "selector": ["matchLabels": ["a": "b"]],
                                  "template": ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["name": "c", "image": "i"]]]]]]
        let (c, created) = await h.call("POST", "/apis/apps/v1/namespaces/default/deployments", dep)
        XCTAssertEqual(c, 201)
        XCTAssertEqual(created[path: ["metadata", "generation"]]?.int, 1)
        var withStatus = created
        withStatus["status"] = ["replicas": 5]
        withStatus[path: ["spec", "replicas"]] = 9
        let (sc, s) = await h.call("PUT", "/apis/apps/v1/namespaces/default/deployments/d/status", withStatus)
        XCTAssertEqual(sc, 200)
        XCTAssertEqual(s[path: ["status", "replicas"]]?.int, 5)
        XCTAssertEqual(s[path: ["spec", "replicas"]]?.int, 1)
        XCTAssertEqual(s[path: ["metadata", "generation"]]?.int, 1)
        var specChange = s
        specChange[path: ["spec", "replicas"]] = 3
        specChange["status"] = ["replicas": 0]
        let (mc, m) = await h.call("PUT", "/apis/apps/v1/namespaces/default/deployments/d", specChange)
        XCTAssertEqual(mc, 200)
        XCTAssertEqual(m[path: ["status", "replicas"]]?.int, 5)
        XCTAssertEqual(m[path: ["metadata", "generation"]]?.int, 2)
    }

    func testBindingAssignsOnce() async throws {
        let h = try await APITestHarness()
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                         "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        _ = await h.call("POST", "/api/v1/namespaces/default/pods", pod)
        let binding: JSON = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"], "target": ["kind": "Node", "name": "n1"]]
        let (c1, _) = await h.call("POST", "/api/v1/namespaces/default/pods/p/binding", binding)
        XCTAssertEqual(c1, 201)
        let (c2, s2) = await h.call("POST", "/api/v1/namespaces/default/pods/p/binding", binding)
        XCTAssertEqual(c2, 409)
        XCTAssertTrue(s2["message"]?.string?.contains("already assigned") ?? false)
        let (_, got) = await h.call("GET", "/api/v1/namespaces/default/pods/p")
        XCTAssertEqual(got[path: ["spec", "nodeName"]]?.string, "n1")
    }

    func testAuthnAndAuthz() async throws {
        let h = try await APITestHarness()
        let (c1, s1) = await h.call("GET", "/api/v1/pods", user: nil)
        XCTAssertEqual(c1, 401)
        XCTAssertEqual(s1["reason"]?.string, "Unauthorized")
        let (c2, s2) = await h.call("GET", "/api/v1/namespaces/default/pods", user: UserInfo(name: "bob", groups: []))
        XCTAssertEqual(c2, 403)
        XCTAssertEqual(s2["message"]?.string,
                       "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"")
        let (c3, _) = await h.call("GET", "/healthz", user: nil)
        XCTAssertEqual(c3, 200)
    }

    func testDiscovery() async throws {
        let h = try await APITestHarness()
        let (_, core) = await h.call("GET", "/api/v1")
        let names = (core["resources"]?.array ?? []).compactMap { $0["name"]?.string }
        XCTAssertTrue(names.contains("pods") && names.contains("pods/status") && names.contains("pods/binding"))
        let (_, groups) = await h.call("GET", "/apis")
        XCTAssertTrue((groups["groups"]?.array ?? []).contains { $0["name"]?.string == "apps" })
        let (_, agg) = await h.call("GET", "/apis", headers: ["accept": Discovery.aggregatedContentType + ",application/json"])
        XCTAssertEqual(agg["kind"]?.string, "APIGroupDiscoveryList")
    }
}

final class ObjectStoreHistoryTests: XCTestCase {
    func testCompactedContinueAndWatchGet410() async throws {
        let h = try await APITestHarness()
        for i in 0..<4 { _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c\(i)")) }
        let (_, p1) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=2")
        let token = p1[path: ["metadata", "continue"]]?.string ?? ""
        let oldRV = p1[path: ["metadata", "resourceVersion"]]?.string ?? ""
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("later"))
        try await h.backend.compact(revision: try await h.backend.currentRevision())
        let (c1, s1) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
        XCTAssertEqual(c1, 410)
        XCTAssertEqual(s1["reason"]?.string, "Expired")
        let resp = await h.service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(Int(oldRV)! - 2)",
                                                      clientCertificate: APITestHarness.admin))
        XCTAssertEqual(resp.status, 200)
        guard case .stream(let s) = resp.body else { return XCTFail("watch must stream") }
        var text = ""
        for await chunk in s { text += String(decoding: chunk, as: UTF8.self) }
        XCTAssertTrue(text.contains("\"type\":\"ERROR\"") && text.contains("\"code\":410"), text)
    }

    func testFieldValidationModes() async throws {
        let h = try await APITestHarness()
        var cm = h.configMap("fv")
        cm["bogus"] = 1
        cm[path: ["metadata", "alsoBogus"]] = "x"
        let (strict, s) = await h.call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", cm)
        XCTAssertEqual(strict, 400)
        XCTAssertEqual(s["message"]?.string, "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                       + "unknown field \"metadata.alsoBogus\", unknown field \"bogus\"")
        let req = HTTPRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps", headers: ["content-type": "application/json"],
                              body: JSONSerializer.serialize(cm), clientCertificate: APITestHarness.admin)
        let warned = await h.service.handle(req)
        XCTAssertEqual(warned.status, 201)
        XCTAssertEqual(warned.headers.filter { $0.0 == "Warning" }.count, 2)
        let stored = try JSONParser.parse(warned.bodyBytes)
        XCTAssertNil(stored["bogus"], "unknown fields are dropped, as upstream")
        let (bad, _) = await h.call("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Loud", h.configMap("x"))
        XCTAssertEqual(bad, 400)
    }

    func testTerminatingNamespaceRefusesNewObjects() async throws {
        let h = try await APITestHarness()
        _ = await h.call("POST", "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "going"]])
        _ = await h.call("POST", "/api/v1/namespaces/going/configmaps", h.configMap("keep"))
        let (dc, ns) = await h.call("DELETE", "/api/v1/namespaces/going")
        XCTAssertEqual(dc, 200)
        XCTAssertEqual(ns[path: ["status", "phase"]]?.string, "Terminating")
        let (c, s) = await h.call("POST", "/api/v1/namespaces/going/configmaps", h.configMap("new"))
        XCTAssertEqual(c, 403)
        XCTAssertTrue(s["message"]?.string?.contains("because it is being terminated") ?? false)
        // The finalizer empties it and then lets it go.
        let finalizer = Task { await NamespaceFinalizer(store: h.service.store).run() }
        defer { finalizer.cancel() }
        for _ in 0..<100 {
            if await h.call("GET", "/api/v1/namespaces/going").0 == 404 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (gone, _) = await h.call("GET", "/api/v1/namespaces/going")
        XCTAssertEqual(gone, 404)
    }

    func testBearerTokensFromFile() async throws {
        let tokens = try StaticTokens(csv: "# comment\nsecret-1,alice,1,\"system:masters,ops\"\nsecret-2,bob,2\n")
        XCTAssertEqual(tokens.lookup("secret-1")?.groups.contains("system:masters"), true)
        XCTAssertEqual(tokens.lookup("secret-2")?.name, "bob")
        XCTAssertNil(tokens.lookup("nope"))
        let auth = BearerTokenAuthenticator { tokens.lookup($0) }
        let ok = try await auth.authenticate(AuthenticationRequest(headers: ["authorization": "Bearer secret-1"]))
        XCTAssertEqual(ok?.name, "alice")
        do {
            _ = try await auth.authenticate(AuthenticationRequest(headers: ["authorization": "Bearer wrong"]))
            XCTFail("a wrong token is 401, not anonymous")
        } catch let e as APIError { XCTAssertEqual(e.code, 401) }
        XCTAssertThrowsError(try StaticTokens(csv: "onlytoken\n"))
    }
}
