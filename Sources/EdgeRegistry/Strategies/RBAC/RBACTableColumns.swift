import EdgeAPI

/// Upstream's `kubectl get` columns for the rbac.authorization.k8s.io kinds:
/// roles show when they were created; bindings their role and, with `-o wide`,
/// who they bind.
enum RBACTableColumns {
    static let createdAt = TableColumn("Created At", type: "date", description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.") { o, _ in
        o[path: ["metadata", "creationTimestamp"]] ?? .null
    }

    static let roles: [TableColumn] = [.name, createdAt]

    static let bindings: [TableColumn] = [.name,
        TableColumn("Role", description: "RoleRef is the reference to the role the binding refers to.") { o, _ in
            .string("\(o[path: ["roleRef", "kind"]]?.string ?? "")/\(o[path: ["roleRef", "name"]]?.string ?? "")")
        },
        .age,
        TableColumn("Users", priority: 1, description: "Users in the binding") { o, _ in .string(subjects(o, "User")) },
        TableColumn("Groups", priority: 1, description: "Groups in the binding") { o, _ in .string(subjects(o, "Group")) },
        TableColumn("ServiceAccounts", priority: 1, description: "ServiceAccounts in the binding") { o, _ in .string(subjects(o, "ServiceAccount")) }]

    static func subjects(_ o: JSON, _ kind: String) -> String {
        (o["subjects"]?.array ?? []).filter { $0["kind"]?.string == kind }.map { s in
            let name = s["name"]?.string ?? ""
            return kind == "ServiceAccount" ? "\(s["namespace"]?.string ?? "")/\(name)" : name
        }.joined(separator: ", ")
    }
}
