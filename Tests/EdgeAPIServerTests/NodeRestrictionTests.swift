import XCTest
import EdgeAPI
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// A node writes its own Node and Lease, the status of pods bound to it, and
/// tokens bound to those pods; nothing of another node's (upstream's Node
/// authorizer and NodeRestriction admission), with upstream's 403 messages.
final class NodeRestrictionTests: XCTestCase {
    let evil = UserInfo(name: "system:node:evilnode", groups: ["system:nodes", "system:authenticated"])
    let pods = "/api/v1/namespaces/default/pods"

    func harness() async throws -> APITestHarness {
        let h = try await APITestHarness(serviceAccountTokens: ServiceAccountTokens(keyPEM: ServiceAccountTokenTests.key))
        for name in ["pi-1", "evilnode"] { await created(h, "/api/v1/nodes", node(name)) }
        await created(h, pods, pod("theirs", node: "pi-1"))
        await created(h, pods, pod("mine", node: "evilnode"))
        await created(h, pods, pod("unbound", node: nil))
        return h
    }

    func node(_ name: String, labels: JSON = [:]) -> JSON {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": labels], "spec": [:]]
    }

    func pod(_ name: String, node: String?, _ extra: JSON = [:]) -> JSON {
        var spec: JSON = ["containers": [["name": "main", "image": "reg.example/app:v1"]]]
        if let node { spec["nodeName"] = .string(node) }
        for (k, v) in extra.object ?? JSONObject() { spec[k] = v }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["app": "web"]], "spec": spec]
    }

    func created(_ h: APITestHarness, _ uri: String, _ body: JSON, user: UserInfo = APITestHarness.admin) async {
        let (code, resp) = await h.call("POST", uri, body, user: user)
        XCTAssertEqual(code, 201, "\(uri): \(resp)")
    }

    func assertForbidden(_ h: APITestHarness, _ method: String, _ uri: String, _ body: JSON? = nil, message: String,
                         headers: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) async {
        let (code, resp) = await h.call(method, uri, body, user: evil, headers: headers)
        XCTAssertEqual(code, 403, "\(method) \(uri): \(resp)", file: file, line: line)
        XCTAssertEqual(resp["reason"]?.string, "Forbidden", file: file, line: line)
        XCTAssertEqual(resp["message"]?.string, message, file: file, line: line)
    }

    func status(_ h: APITestHarness, _ name: String, podIP: String) async -> JSON {
        var (_, p) = await h.call("GET", "\(pods)/\(name)")
        p[path: ["status", "podIP"]] = .string(podIP)
        return p
    }

    // MARK: pod status

    func testPodStatusOnlyForPodsBoundToTheNode() async throws {
        let h = try await harness()
        await assertForbidden(h, "PUT", "\(pods)/theirs/status", await status(h, "theirs", podIP: "6.6.6.6"),
                              message: "pods \"theirs\" is forbidden: node \"evilnode\" can only update pod status for pods with spec.nodeName set to itself")
        await assertForbidden(h, "PATCH", "\(pods)/theirs/status", ["status": ["podIP": "6.6.6.6"]],
                              message: "pods \"theirs\" is forbidden: node \"evilnode\" can only update pod status for pods with spec.nodeName set to itself",
                              headers: ["content-type": "application/merge-patch+json"])
        await assertForbidden(h, "PATCH", "\(pods)/unbound/status", ["status": ["podIP": "6.6.6.6"]],
                              message: "pods \"unbound\" is forbidden: node \"evilnode\" can only update pod status for pods with spec.nodeName set to itself",
                              headers: ["content-type": "application/merge-patch+json"])
        let (_, theirs) = await h.call("GET", "\(pods)/theirs")
        XCTAssertNil(theirs[path: ["status", "podIP"]], "the refused write left the pod alone")

        let (code, mine) = await h.call("PUT", "\(pods)/mine/status", await status(h, "mine", podIP: "10.42.0.9"), user: evil)
        XCTAssertEqual(code, 200, "\(mine)")
        XCTAssertEqual(mine[path: ["status", "podIP"]], "10.42.0.9")
        var relabelled = await status(h, "mine", podIP: "10.42.0.9")
        relabelled[path: ["metadata", "labels", "app"]] = "db"
        await assertForbidden(h, "PUT", "\(pods)/mine/status", relabelled,
                              message: "pods \"mine\" is forbidden: node \"evilnode\" cannot update labels through pod status")
    }

    func testPodSpecIsNotANodesToWrite() async throws {
        let h = try await harness()
        var (_, mine) = await h.call("GET", "\(pods)/mine")
        mine[path: ["metadata", "labels", "app"]] = "db"
        let (code, resp) = await h.call("PUT", "\(pods)/mine", mine, user: evil)
        XCTAssertEqual(code, 403, "\(resp)")
        XCTAssertEqual(resp["message"]?.string,
                       "pods \"mine\" is forbidden: User \"system:node:evilnode\" cannot update resource \"pods\" in API group \"\" in the namespace \"default\"")
    }

    // MARK: pod deletion, eviction, mirror pods

    func testANodeDeletesOnlyPodsBoundToIt() async throws {
        let h = try await harness()
        for name in ["theirs", "unbound"] {
            await assertForbidden(h, "DELETE", "\(pods)/\(name)",
                                  message: "pods \"\(name)\" is forbidden: node \"evilnode\" can only delete pods with spec.nodeName set to itself")
        }
        let (theirs, _) = await h.call("GET", "\(pods)/theirs")
        XCTAssertEqual(theirs, 200)
        let (gone, resp) = await h.call("DELETE", "\(pods)/mine?gracePeriodSeconds=0", user: evil)
        XCTAssertEqual(gone, 200, "\(resp)")
        let (missing, _) = await h.call("DELETE", "\(pods)/absent", user: evil)
        XCTAssertEqual(missing, 404)
    }

    func testEvictionOnlyOfPodsBoundToTheNode() async throws {
        let h = try await harness()
        let eviction: JSON = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "theirs", "namespace": "default"]]
        await assertForbidden(h, "POST", "\(pods)/theirs/eviction", eviction,
                              message: "pods \"theirs\" is forbidden: node evilnode can only evict pods with spec.nodeName set to itself")
    }

    func testANodeCreatesOnlyMirrorPodsOfItself() async throws {
        let h = try await harness()
        await assertForbidden(h, "POST", pods, pod("plain", node: "evilnode"),
                              message: "pods \"plain\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"evilnode\" can only create mirror pods")
        let (_, nodeObj) = await h.call("GET", "/api/v1/nodes/evilnode")
        func mirror(_ name: String, node: String, _ extra: JSON = [:], owner: String = "evilnode") -> JSON {
            var p = pod(name, node: node, extra)
            p[path: ["metadata", "annotations"]] = ["kubernetes.io/config.mirror": "hash"]
            p[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "Node", "name": .string(owner), "controller": true,
                                                        "uid": nodeObj[path: ["metadata", "uid"]] ?? ""]]
            return p
        }
        await assertForbidden(h, "POST", pods, mirror("elsewhere", node: "pi-1"),
                              message: "pods \"elsewhere\" is forbidden: node \"evilnode\" can only create pods with spec.nodeName set to itself")
        await assertForbidden(h, "POST", pods, mirror("owned", node: "evilnode", owner: "pi-1"),
                              message: "pods \"owned\" is forbidden: node \"evilnode\" can only create pods with an owner reference set to itself")
        await assertForbidden(h, "POST", pods, mirror("sa", node: "evilnode", ["serviceAccountName": "admin"]),
                              message: "pods \"sa\" is forbidden: node \"evilnode\" can not create pods that reference a service account")
        await assertForbidden(h, "POST", pods, mirror("sec", node: "evilnode", ["volumes": [["name": "s", "secret": ["secretName": "db"]]]]),
                              message: "pods \"sec\" is forbidden: node \"evilnode\" can not create pods that reference secrets")
        let (code, created) = await h.call("POST", pods, mirror("static-web", node: "evilnode"), user: evil)
        XCTAssertEqual(code, 201, "\(created)")
        XCTAssertNil(created[path: ["spec", "serviceAccountName"]], "a mirror pod runs as no account, as upstream")
    }

    // MARK: nodes

    func testANodeRegistersOnlyItselfWithKubeletLabels() async throws {
        let h = try await harness()
        await assertForbidden(h, "POST", "/api/v1/nodes", node("pi-2"),
                              message: "nodes \"pi-2\" is forbidden: node \"evilnode\" is not allowed to modify node \"pi-2\"")
        let (pi2, _) = await h.call("GET", "/api/v1/nodes/pi-2")
        XCTAssertEqual(pi2, 404, "the real pi-2 can still join")
        let (_, _) = await h.call("DELETE", "/api/v1/nodes/evilnode")
        await assertForbidden(h, "POST", "/api/v1/nodes",
                              node("evilnode", labels: ["node-restriction.kubernetes.io/trusted": "true", "node-role.kubernetes.io/control-plane": "",
                                                        "kubernetes.io/hostname": "evilnode"]),
                              message: "nodes \"evilnode\" is forbidden: node \"evilnode\" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted, node-role.kubernetes.io/control-plane")
        let allowed: JSON = ["kubernetes.io/hostname": "evilnode", "kubernetes.io/arch": "arm64", "node.kubernetes.io/instance-type": "rpi4",
                             "topology.kubernetes.io/zone": "shelf", "kubelet.kubernetes.io/x": "y", "board": "rpi4", "example.com/disk": "ssd"]
        await created(h, "/api/v1/nodes", node("evilnode", labels: allowed), user: evil)
    }

    func testANodeUpdatesOnlyItsOwnNodeAndNotItsTaintsOrRestrictedLabels() async throws {
        let h = try await harness()
        var (_, pi1) = await h.call("GET", "/api/v1/nodes/pi-1")
        pi1[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"]]
        await assertForbidden(h, "PUT", "/api/v1/nodes/pi-1/status", pi1,
                              message: "nodes \"pi-1\" is forbidden: node \"evilnode\" is not allowed to modify node \"pi-1\"")
        await assertForbidden(h, "PATCH", "/api/v1/nodes/pi-1", ["metadata": ["labels": ["board": "x"]]],
                              message: "nodes \"pi-1\" is forbidden: node \"evilnode\" is not allowed to modify node \"pi-1\"",
                              headers: ["content-type": "application/merge-patch+json"])

        let merge = ["content-type": "application/merge-patch+json"]
        await assertForbidden(h, "PATCH", "/api/v1/nodes/evilnode", ["metadata": ["labels": ["node-restriction.kubernetes.io/trusted": "yes"]]],
                              message: "nodes \"evilnode\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/trusted",
                              headers: merge)
        await assertForbidden(h, "PATCH", "/api/v1/nodes/evilnode/status", ["metadata": ["labels": ["node-role.kubernetes.io/master": ""]]],
                              message: "nodes \"evilnode\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master",
                              headers: merge)
        await assertForbidden(h, "PATCH", "/api/v1/nodes/evilnode", ["spec": ["taints": [["key": "x", "effect": "NoSchedule"]]]],
                              message: "nodes \"evilnode\" is forbidden: node \"evilnode\" is not allowed to modify taints", headers: merge)
        let (code, resp) = await h.call("PATCH", "/api/v1/nodes/evilnode", ["metadata": ["labels": ["board": "rpi4"]]], user: evil, headers: merge)
        XCTAssertEqual(code, 200, "\(resp)")
        var own = resp
        own[path: ["status", "conditions"]] = [["type": "Ready", "status": "True"]]
        let (statusCode, statusResp) = await h.call("PUT", "/api/v1/nodes/evilnode/status", own, user: evil)
        XCTAssertEqual(statusCode, 200, "\(statusResp)")
        let (del, _) = await h.call("DELETE", "/api/v1/nodes/evilnode", user: evil)
        XCTAssertEqual(del, 403, "a node does not delete Nodes")
    }

    // MARK: leases

    func testLeasesOnlyOfTheNodesName() async throws {
        let h = try await harness()
        let leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
        func lease(_ name: String) -> JSON {
            ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": .string(name)],
             "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40]]
        }
        await assertForbidden(h, "POST", leases, lease("pi-1"),
                              message: "leases.coordination.k8s.io \"pi-1\" is forbidden: can only access node lease with the same name as the requesting node")
        await created(h, leases, lease("pi-1"))
        await assertForbidden(h, "PUT", "\(leases)/pi-1", lease("pi-1"),
                              message: "leases.coordination.k8s.io \"pi-1\" is forbidden: User \"system:node:evilnode\" cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-node-lease\": can only access node lease with the same name as the requesting node")
        await assertForbidden(h, "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease("evilnode"),
                              message: "leases.coordination.k8s.io is forbidden: User \"system:node:evilnode\" cannot create resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\": can only access leases in the \"kube-node-lease\" system namespace")
        await created(h, leases, lease("evilnode"), user: evil)
        let (renew, resp) = await h.call("PUT", "\(leases)/evilnode", lease("evilnode"), user: evil)
        XCTAssertEqual(renew, 200, "\(resp)")
    }

    // MARK: service account tokens

    func testTokensOnlyBoundToPodsOnTheNode() async throws {
        let h = try await harness()
        let token = "/api/v1/namespaces/kube-system/serviceaccounts/default/token"
        let request: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": [:]]
        await assertForbidden(h, "POST", token, request,
                              message: "serviceaccounts \"default\" is forbidden: User \"system:node:evilnode\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"kube-system\": no relationship found between node 'evilnode' and this object")

        await created(h, "/api/v1/namespaces/default/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"]])
        let own = "/api/v1/namespaces/default/serviceaccounts/default/token"
        await assertForbidden(h, "POST", own, request, message: "serviceaccounts \"default\" is forbidden: node requested token not bound to a pod")
        func bound(_ pod: String, uid: String?) -> JSON {
            var ref: JSON = ["apiVersion": "v1", "kind": "Pod", "name": .string(pod)]
            if let uid { ref["uid"] = .string(uid) }
            return ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["boundObjectRef": ref]]
        }
        await assertForbidden(h, "POST", own, bound("mine", uid: nil),
                              message: "serviceaccounts \"default\" is forbidden: node requested token with a pod binding without a uid")
        let (_, theirs) = await h.call("GET", "\(pods)/theirs")
        await assertForbidden(h, "POST", own, bound("theirs", uid: theirs[path: ["metadata", "uid"]]?.string),
                              message: "serviceaccounts \"default\" is forbidden: node requested token bound to a pod scheduled on a different node")
        await assertForbidden(h, "POST", own, bound("mine", uid: "not-the-uid"),
                              message: "serviceaccounts \"default\" is forbidden: the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated")
        let (_, mine) = await h.call("GET", "\(pods)/mine")
        let (code, resp) = await h.call("POST", own, bound("mine", uid: mine[path: ["metadata", "uid"]]?.string), user: evil)
        XCTAssertEqual(code, 201, "\(resp)")
        XCTAssertNotNil(resp[path: ["status", "token"]]?.string)
    }

    func testATokenBoundToAPodSpeaksOnlyForThatPodsAccount() async throws {
        let h = try await harness()
        await created(h, "/api/v1/namespaces/default/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "admin"]])
        let (_, mine) = await h.call("GET", "\(pods)/mine")
        let (code, resp) = await h.call("POST", "/api/v1/namespaces/default/serviceaccounts/admin/token",
                                        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                         "spec": ["boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "mine",
                                                                     "uid": mine[path: ["metadata", "uid"]] ?? ""]]])
        XCTAssertEqual(code, 400, "\(resp)")
        XCTAssertEqual(resp["message"]?.string, "cannot bind token for serviceaccount \"admin\" to pod running with different serviceaccount name.")
    }

    // MARK: everyone else

    func testEventsAnywhereAndOtherUsersUntouched() async throws {
        let h = try await harness()
        let event: JSON = ["apiVersion": "v1", "kind": "Event", "metadata": ["name": "e1"], "reason": "Started", "message": "m",
                           "involvedObject": ["kind": "Pod", "name": "theirs", "namespace": "default"], "type": "Normal"]
        await created(h, "/api/v1/namespaces/default/events", event, user: evil)
        let (code, _) = await h.call("PATCH", "\(pods)/theirs/status", ["status": ["podIP": "10.42.1.5"]],
                                     headers: ["content-type": "application/merge-patch+json"])
        XCTAssertEqual(code, 200, "the admin is not a node")
        let nameless = UserInfo(name: "system:node:", groups: ["system:nodes"])
        let (refused, resp) = await h.call("PATCH", "/api/v1/nodes/pi-1", ["metadata": ["labels": ["a": "b"]]], user: nameless,
                                           headers: ["content-type": "application/merge-patch+json"])
        XCTAssertEqual(refused, 403, "\(resp)")
        XCTAssertEqual(resp["message"]?.string,
                       "nodes \"pi-1\" is forbidden: User \"system:node:\" cannot patch resource \"nodes\" in API group \"\" at the cluster scope: unknown node for user \"system:node:\"")
    }
}
