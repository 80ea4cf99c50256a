import XCTest
import EdgeAPI
import EdgeRegistry
@testable import EdgeAuth

/// RBAC after Node in the chain, over the bootstrap policy reconciled at start.
final class RBACAuthorizerTests: XCTestCase {
    let node = UserInfo(name: "system:node:pi-1", groups: ["system:nodes", "system:authenticated"])
    let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
    let bob = UserInfo(name: "bob", groups: ["system:authenticated"])
    let sa = UserInfo(name: "system:serviceaccount:apps:reader", groups: ["system:serviceaccounts", "system:serviceaccounts:apps", "system:authenticated"])

    func testBootstrapPolicyKeepsDiscoveryJoinAndCertificates() async throws {
        let f = try await RBACFixture()
        for path in ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/openapi/v2", "/openapi/v3", "/openapi/v3/api/v1", "/version"] {
            let ok = await f.allowed(node, "GET", path)
            XCTAssertTrue(ok, path)
        }
        var ok = await f.allowed(anonymous, "GET", "/openapi/v2")
        XCTAssertFalse(ok, "system:discovery is bound to authenticated users only")
        ok = await f.allowed(anonymous, "GET", "/api/v1/namespaces/kube-public/configmaps/cluster-info")
        XCTAssertTrue(ok, "kubeadm's cluster-info role lets joining machines read it")
        ok = await f.allowed(anonymous, "GET", "/api/v1/namespaces/kube-public/configmaps/other")
        XCTAssertFalse(ok)
        let joiner = UserInfo(name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"])
        ok = await f.allowed(joiner, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests")
        XCTAssertTrue(ok)
        ok = await f.allowed(joiner, "GET", "/api/v1/namespaces/kube-system/secrets")
        XCTAssertFalse(ok)
        ok = await f.allowed(joiner, "GET", "/api/v1/nodes/pi-1")
        XCTAssertTrue(ok, "kubeadm:get-nodes: a joining machine checks that its name is free")
        ok = await f.allowed(joiner, "GET", "/api/v1/nodes")
        XCTAssertFalse(ok, "one Node by name, not the list")
        ok = await f.allowed(joiner, "DELETE", "/api/v1/nodes/pi-1")
        XCTAssertFalse(ok)
        ok = await f.allowed(node, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests")
        XCTAssertTrue(ok, "nodes renew their certificates (upstream's static node rules)")
        ok = await f.allowed(UserInfo(name: "admin", groups: ["system:masters"]), "DELETE", "/api/v1/namespaces/kube-system/secrets")
        XCTAssertTrue(ok)
        let scheduler = UserInfo(name: "system:kube-scheduler", groups: ["system:authenticated"])
        ok = await f.allowed(scheduler, "POST", "/api/v1/namespaces/default/pods/web/binding")
        XCTAssertTrue(ok)
        ok = await f.allowed(scheduler, "GET", "/api/v1/namespaces/default/secrets")
        XCTAssertFalse(ok, "the scheduler holds upstream's system:kube-scheduler role, not more")
        let controllers = UserInfo(name: "system:kube-controller-manager", groups: ["system:authenticated"])
        for (method, path) in [("POST", "/api/v1/namespaces/x/pods"), ("POST", "/apis/apps/v1/namespaces/x/replicasets"),
                               ("PUT", "/apis/apps/v1/namespaces/x/deployments/web/status"), ("DELETE", "/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef"),
                               ("PUT", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view"), ("GET", "/api/v1/secrets?watch=true")] {
            ok = await f.allowed(controllers, method, path)
            XCTAssertTrue(ok, "controllers: \(method) \(path)")
        }
        for (method, path) in [("POST", "/apis/apps/v1/namespaces/x/deployments"), ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
                               ("POST", "/api/v1/namespaces/x/pods/web/eviction")] {
            ok = await f.allowed(controllers, method, path)
            XCTAssertFalse(ok, "controllers may not: \(method) \(path)")
        }
    }

    func testARoleBoundToAServiceAccountGrantsExactlyItsRulesInItsNamespace() async throws {
        let f = try await RBACFixture()
        try await f.create(BuiltinResources.namespaces, nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "apps"]])
        try await f.create(BuiltinResources.roles, "apps", RBACFixture.role("pod-reader", [RBACFixture.rule(["get", "list"], [""], ["pods", "pods/log"])]))
        try await f.create(BuiltinResources.roleBindings, "apps", RBACFixture.binding("read-pods", role: "pod-reader",
                                                                                       subjects: [["kind": "ServiceAccount", "name": "reader", "namespace": "apps"]]))
        var ok = await f.allowed(sa, "GET", "/api/v1/namespaces/apps/pods")
        XCTAssertTrue(ok)
        ok = await f.allowed(sa, "GET", "/api/v1/namespaces/apps/pods/web/log")
        XCTAssertTrue(ok)
        ok = await f.allowed(sa, "DELETE", "/api/v1/namespaces/apps/pods/web")
        XCTAssertFalse(ok)
        ok = await f.allowed(sa, "GET", "/api/v1/namespaces/default/pods")
        XCTAssertFalse(ok, "a RoleBinding grants in its own namespace only")
        ok = await f.allowed(sa, "GET", "/api/v1/namespaces/apps/pods/web/exec")
        XCTAssertFalse(ok)
    }

    func testGroupsClusterRolesResourceNamesAndWildcards() async throws {
        let f = try await RBACFixture()
        var named = RBACFixture.rule(["get"], [""], ["configmaps"])
        named["resourceNames"] = ["settings"]
        try await f.create(BuiltinResources.clusterRoles, nil, RBACFixture.role("cm-one", [named, RBACFixture.rule(["*"], ["apps"], ["*/scale"])],
                                                                                 kind: "ClusterRole"))
        try await f.create(BuiltinResources.clusterRoleBindings, nil, RBACFixture.binding("devs", role: "cm-one", roleKind: "ClusterRole",
                                                                                           kind: "ClusterRoleBinding",
                                                                                           subjects: [["kind": "Group", "name": "devs"]]))
        let dev = UserInfo(name: "carol", groups: ["devs", "system:authenticated"])
        var ok = await f.allowed(dev, "GET", "/api/v1/namespaces/x/configmaps/settings")
        XCTAssertTrue(ok)
        ok = await f.allowed(dev, "GET", "/api/v1/namespaces/x/configmaps/other")
        XCTAssertFalse(ok)
        ok = await f.allowed(dev, "GET", "/api/v1/namespaces/x/configmaps")
        XCTAssertFalse(ok, "a rule with resourceNames does not allow a list")
        ok = await f.allowed(dev, "PUT", "/apis/apps/v1/namespaces/x/deployments/web/scale")
        XCTAssertTrue(ok)
        ok = await f.allowed(dev, "PUT", "/apis/apps/v1/namespaces/x/deployments/web")
        XCTAssertFalse(ok)
        ok = await f.allowed(bob, "GET", "/api/v1/namespaces/x/configmaps/settings")
        XCTAssertFalse(ok)
    }

    func testEscalationIsRefusedAsUpstreamWordsIt() async throws {
        let f = try await RBACFixture()
        try await f.create(BuiltinResources.namespaces, nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
        // bob may manage roles and bindings in team (not with "*": that includes escalate and bind), and read pods there.
        try await f.create(BuiltinResources.roles, "team", RBACFixture.role("rbac-admin", [
            RBACFixture.rule(["create", "get", "list", "update", "delete"], ["rbac.authorization.k8s.io"], ["roles", "rolebindings"]), RBACFixture.rule(["get"], [""], ["pods"])]))
        try await f.create(BuiltinResources.roleBindings, "team", RBACFixture.binding("bob", role: "rbac-admin", subjects: [["kind": "User", "name": "bob"]]))
        // Granting what he holds is fine.
        try await f.create(BuiltinResources.roles, "team", RBACFixture.role("pods-get", [RBACFixture.rule(["get"], [""], ["pods"])]), as: bob)
        // Granting more is refused, naming what is missing.
        do {
            try await f.create(BuiltinResources.roles, "team", RBACFixture.role("secrets", [RBACFixture.rule(["get", "list"], [""], ["secrets"])]), as: bob)
            XCTFail("escalation allowed")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 403)
            XCTAssertEqual(e.message, """
                roles.rbac.authorization.k8s.io "secrets" is forbidden: user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
                {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
                {APIGroups:[""], Resources:["secrets"], Verbs:["list"]}
                """)
        }
        var role = try await f.store.getIfExists(BuiltinResources.roles, namespace: "team", name: "secrets")
        XCTAssertNil(role, "nothing a refused request touched changes")
        // Binding cluster-admin is refused; binding what he holds is allowed.
        do {
            try await f.create(BuiltinResources.roleBindings, "team", RBACFixture.binding("root", role: "cluster-admin", roleKind: "ClusterRole",
                                                                                           subjects: [["kind": "User", "name": "bob"]]), as: bob)
            XCTFail("binding escalation allowed")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 403)
            XCTAssertTrue(e.message.hasPrefix("rolebindings.rbac.authorization.k8s.io \"root\" is forbidden: user \"bob\""), e.message)
        }
        try await f.create(BuiltinResources.roleBindings, "team", RBACFixture.binding("mallory", role: "pods-get",
                                                                                       subjects: [["kind": "User", "name": "mallory"]]), as: bob)
        // With `escalate` (and `bind`) the same writes pass.
        try await f.create(BuiltinResources.roles, "team", RBACFixture.role("escalator", [RBACFixture.rule(["escalate", "bind"], ["rbac.authorization.k8s.io"], ["roles", "clusterroles"])]))
        try await f.create(BuiltinResources.roleBindings, "team", RBACFixture.binding("bob-escalates", role: "escalator", subjects: [["kind": "User", "name": "bob"]]))
        try await f.create(BuiltinResources.roles, "team", RBACFixture.role("secrets", [RBACFixture.rule(["get", "list"], [""], ["secrets"])]), as: bob)
        try await f.create(BuiltinResources.roleBindings, "team", RBACFixture.binding("root", role: "cluster-admin", roleKind: "ClusterRole",
                                                                                       subjects: [["kind": "User", "name": "bob"]]), as: bob)
        role = try await f.store.getIfExists(BuiltinResources.roles, namespace: "team", name: "secrets")
        XCTAssertNotNil(role)
    }

    func testRoleRefCannotChangeAndRulesAreValidated() async throws {
        let f = try await RBACFixture()
        do {
            try await f.create(BuiltinResources.roles, "default", RBACFixture.role("bad", [["apiGroups": [""], "resources": ["pods"]]]))
            XCTFail("a rule without verbs was stored")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
            XCTAssertTrue(e.message.contains("rules[0].verbs: Required value: verbs must contain at least one value"), e.message)
        }
        try await f.create(BuiltinResources.roleBindings, "default", RBACFixture.binding("b", role: "view", roleKind: "ClusterRole",
                                                                                          subjects: [["kind": "User", "name": "bob"]]))
        do {
            _ = try await f.store.guaranteedUpdate(BuiltinResources.roleBindings, namespace: "default", name: "b", context: .apiServer) { old in
                var n = old
                n[path: ["roleRef", "name"]] = "edit"
                return (n, false)
            }
            XCTFail("roleRef changed")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
            XCTAssertTrue(e.message.contains("roleRef: Invalid value"), e.message)
            XCTAssertTrue(e.message.contains("cannot change roleRef"), e.message)
        }
        let stored = try await f.store.get(BuiltinResources.roleBindings, namespace: "default", name: "b")
        XCTAssertEqual(stored["subjects"]?.array?.first?["apiGroup"]?.string, "rbac.authorization.k8s.io", "User subjects default their apiGroup")
    }

    func testReconcilingTwiceChangesNothingAndRestoresLostRules() async throws {
        let f = try await RBACFixture()
        let before = try await f.store.get(BuiltinResources.clusterRoles, namespace: nil, name: "system:basic-user")
        try await BootstrapPolicy.reconcile(f.store)
        var after = try await f.store.get(BuiltinResources.clusterRoles, namespace: nil, name: "system:basic-user")
        XCTAssertEqual(before, after)
        _ = try await f.store.guaranteedUpdate(BuiltinResources.clusterRoles, namespace: nil, name: "system:basic-user", context: .apiServer) { old in
            var n = old
            n["rules"] = []
            return (n, false)
        }
        try await BootstrapPolicy.reconcile(f.store)
        after = try await f.store.get(BuiltinResources.clusterRoles, namespace: nil, name: "system:basic-user")
        XCTAssertEqual(after["rules"], before["rules"])
    }
}
