import XCTest
import EdgeAPI
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// A node reads the Secrets and ConfigMaps its own pods refer to, and nothing
/// else (upstream's Node authorizer); a pod gets its service account's
/// imagePullSecrets when it names none (upstream's ServiceAccount admission).
final class NodeGraphAuthorizerTests: XCTestCase {
    let pi1 = UserInfo(name: "system:node:pi-1", groups: ["system:nodes", "system:authenticated"])

    func pod(_ name: String, node: String, _ spec: JSON = [:]) -> JSON {
        var s: JSON = ["nodeName": .string(node), "containers": [["name": "main", "image": "reg.example/app:v1"]]]
        for (k, v) in spec.object ?? JSONObject() { s[k] = v }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": s]
    }

    func secret(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)], "type": "Opaque", "data": ["k": "dg=="]]
    }

    func create(_ h: APITestHarness, _ plural: String, _ body: JSON) async {
        let (code, resp) = await h.call("POST", "/api/v1/namespaces/default/\(plural)", body)
        XCTAssertEqual(code, 201, "\(resp)")
    }

    func testANodeReadsOnlyWhatPodsBoundToItReferTo() async throws {
        let h = try await APITestHarness()
        for name in ["pull", "env", "vol", "elsewhere", "unreferenced"] { await create(h, "secrets", secret(name)) }
        await create(h, "configmaps", h.configMap("projected"))
        await create(h, "configmaps", h.configMap("unreferenced"))
        await create(h, "pods", pod("mine", node: "pi-1", [
            "imagePullSecrets": [["name": "pull"], ["name": "absent"]],
            "volumes": [["name": "s", "secret": ["secretName": "vol"]],
                        ["name": "p", "projected": ["sources": [["configMap": ["name": "projected"]]]]]],
            "initContainers": [["name": "init", "image": "reg.example/app:v1",
                                "env": [["name": "X", "valueFrom": ["secretKeyRef": ["name": "env", "key": "k"]]]]]],
        ]))
        await create(h, "pods", pod("theirs", node: "pi-2", ["imagePullSecrets": [["name": "elsewhere"]]]))

        for name in ["pull", "env", "vol"] {
            let (code, _) = await h.call("GET", "/api/v1/namespaces/default/secrets/\(name)", user: pi1)
            XCTAssertEqual(code, 200, "secret \(name) is referenced by a pod on pi-1")
        }
        let (projected, _) = await h.call("GET", "/api/v1/namespaces/default/configmaps/projected", user: pi1)
        XCTAssertEqual(projected, 200)
        let (absent, _) = await h.call("GET", "/api/v1/namespaces/default/secrets/absent", user: pi1)
        XCTAssertEqual(absent, 404, "referenced but missing: the node learns it does not exist")
        for path in ["secrets/elsewhere", "secrets/unreferenced", "configmaps/unreferenced", "secrets/absent-and-unreferenced"] {
            let (code, resp) = await h.call("GET", "/api/v1/namespaces/default/\(path)", user: pi1)
            XCTAssertEqual(code, 403, "\(path): \(resp)")
        }
        let (list, _) = await h.call("GET", "/api/v1/namespaces/default/secrets", user: pi1)
        XCTAssertEqual(list, 403, "a node never lists secrets")
        let (admin, _) = await h.call("GET", "/api/v1/namespaces/default/secrets/unreferenced")
        XCTAssertEqual(admin, 200, "other users are not affected")
    }

    func testPodsGetTheirServiceAccountsPullSecretsUnlessTheyNameTheirOwn() async throws {
        let h = try await APITestHarness()
        await create(h, "serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "builder"],
                                            "imagePullSecrets": [["name": "regcred"]]])
        await create(h, "pods", pod("inherits", node: "pi-1", ["serviceAccountName": "builder"]))
        await create(h, "pods", pod("own", node: "pi-1", ["serviceAccountName": "builder", "imagePullSecrets": [["name": "mine"]]]))
        await create(h, "pods", pod("plain", node: "pi-1"))
        let (_, inherits) = await h.call("GET", "/api/v1/namespaces/default/pods/inherits")
        XCTAssertEqual(inherits[path: ["spec", "imagePullSecrets"]], [["name": "regcred"]])
        let (_, own) = await h.call("GET", "/api/v1/namespaces/default/pods/own")
        XCTAssertEqual(own[path: ["spec", "imagePullSecrets"]], [["name": "mine"]])
        let (_, plain) = await h.call("GET", "/api/v1/namespaces/default/pods/plain")
        XCTAssertNil(plain[path: ["spec", "imagePullSecrets"]], "the default account has none here")
        // The node may read the inherited secret: the graph sees the pod as stored.
        await create(h, "secrets", secret("regcred"))
        let (code, _) = await h.call("GET", "/api/v1/namespaces/default/secrets/regcred", user: pi1)
        XCTAssertEqual(code, 200)
    }
}
