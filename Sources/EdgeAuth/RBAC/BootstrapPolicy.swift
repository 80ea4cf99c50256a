import EdgeAPI
import EdgeRegistry
import Logging

/// Reconciles upstream's bootstrap policy at every start, as kube-apiserver's
/// rbac/bootstrap-roles post-start hook: missing roles and bindings are
/// created; existing ones annotated `rbac.authorization.kubernetes.io/autoupdate: "true"`
/// (or unannotated) get back rules, labels, aggregation selectors and subjects
/// they lost, keeping what users added; `autoupdate: "false"` leaves them alone.
public enum BootstrapPolicy {
    static let autoupdate = "rbac.authorization.kubernetes.io/autoupdate"
    static let bootstrapping = ["kubernetes.io/bootstrapping": "rbac-defaults"]
    static let log = Logger(label: "edgectl.rbac")

    public static func reconcile(_ store: ObjectStore) async throws {
        for role in BootstrapRoles.all {
            try await reconcileRole(store, BuiltinResources.clusterRoles, namespace: nil, name: role.name, rules: role.rules,
                                    labels: role.labels, aggregateFrom: role.aggregateFrom)
        }
        try await reconcileRole(store, BuiltinResources.roles, namespace: "kube-public", name: BootstrapBindings.clusterInfoRole,
                                rules: BootstrapBindings.clusterInfoRules, labels: [:], aggregateFrom: nil)
        for b in BootstrapBindings.clusterRoleBindings {
            try await reconcileBinding(store, BuiltinResources.clusterRoleBindings, b, roleKind: "ClusterRole")
        }
        for b in BootstrapBindings.roleBindings {
            try await reconcileBinding(store, BuiltinResources.roleBindings, b, roleKind: "Role")
        }
    }

    static func metadata(_ name: String, namespace: String?, labels: [String: String]) -> JSON {
        var meta: JSON = ["name": .string(name), "annotations": [autoupdate: "true"]]
        if let namespace { meta["namespace"] = .string(namespace) }
        var l = JSONObject()
        for (k, v) in bootstrapping.merging(labels, uniquingKeysWith: { a, _ in a }) { l[k] = .string(v) }
        meta["labels"] = .object(l)
        return meta
    }

    static func reconcileRole(_ store: ObjectStore, _ r: ResourceInfo, namespace: String?, name: String, rules: [PolicyRule],
                              labels: [String: String], aggregateFrom: String?) async throws {
        var desired: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(r.kind),
                             "metadata": metadata(name, namespace: namespace, labels: labels), "rules": .array(rules.map(\.json))]
        if let from = aggregateFrom {
            desired["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": [.init(BootstrapRoles.aggregateLabel + from): "true"]]]]
        }
        guard let existing = try await store.getIfExists(r, namespace: namespace, name: name) else {
            do { _ = try await store.create(r, namespace: namespace, object: desired, context: .apiServer) } catch let e as APIError where e.code == 409 {}
            return
        }
        if existing[path: ["metadata", "annotations", autoupdate]]?.string == "false" { return }
        _ = try await store.guaranteedUpdate(r, namespace: namespace, name: name, context: .apiServer) { old in
            var new = old
            addMissing(labels: bootstrapping.merging(labels, uniquingKeysWith: { a, _ in a }), to: &new)
            if aggregateFrom != nil {
                // Rules of an aggregated role are the aggregation controller's; only the selector is ours.
                var selectors = new[path: ["aggregationRule", "clusterRoleSelectors"]]?.array ?? []
                for s in desired[path: ["aggregationRule", "clusterRoleSelectors"]]?.array ?? [] where !selectors.contains(s) { selectors.append(s) }
                new[path: ["aggregationRule", "clusterRoleSelectors"]] = .array(selectors)
            } else {
                let held = PolicyRule.rules(of: old)
                let missing = rules.filter { rule in !PolicyRule.uncovered([rule], by: held).isEmpty }
                if !missing.isEmpty { new["rules"] = .array((old["rules"]?.array ?? []) + missing.map(\.json)) }
            }
            return (new, false)
        }
    }

    static func addMissing(labels: [String: String], to obj: inout JSON) {
        for (k, v) in labels where obj[path: ["metadata", "labels", k]] == nil { obj[path: ["metadata", "labels", k]] = .string(v) }
    }

    static func reconcileBinding(_ store: ObjectStore, _ r: ResourceInfo, _ b: BootstrapBindings.Binding, roleKind: String) async throws {
        let roleRef: JSON = ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(b.role)]
        let desired: JSON = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(r.kind),
                             "metadata": metadata(b.name, namespace: b.namespace, labels: [:]), "roleRef": roleRef,
                             "subjects": .array(b.subjects)]
        if let existing = try await store.getIfExists(r, namespace: b.namespace, name: b.name) {
            if existing[path: ["metadata", "annotations", autoupdate]]?.string == "false" { return }
            if existing["roleRef"] == roleRef {
                _ = try await store.guaranteedUpdate(r, namespace: b.namespace, name: b.name, context: .apiServer) { old in
                    var new = old
                    var subjects = old["subjects"]?.array ?? []
                    for s in b.subjects where !subjects.contains(s) { subjects.append(s) }
                    new["subjects"] = .array(subjects)
                    addMissing(labels: bootstrapping, to: &new)
                    return (new, false)
                }
                return
            }
            // roleRef cannot change: as upstream's reconciler, replace the binding.
            log.notice("rbac: replacing \(r.kind) \(b.name): its roleRef differs from the bootstrap policy's")
            _ = try await store.delete(r, namespace: b.namespace, name: b.name, options: DeleteOptions(), context: .apiServer)
        }
        do { _ = try await store.create(r, namespace: b.namespace, object: desired, context: .apiServer) } catch let e as APIError where e.code == 409 {}
    }
}
