import EdgeAPI

/// pods/binding: the scheduler's way to place a pod on a node, exactly once.
public enum PodBinding {
    public static func bind(_ store: ObjectStore, namespace: String?, name: String, binding: JSON, context ctx: WriteContext) async throws {
        let r = BuiltinResources.pods
        guard let node = binding[path: ["target", "name"]]?.string, !node.isEmpty else {
            throw APIError(code: 422, reason: "Invalid", message: "Binding \"\(name)\" is invalid: target.name: Required value",
                           details: .init(name: name, kind: "Binding", causes: [.init(reason: "FieldValueRequired", message: "Required value", field: "target.name")]))
        }
        if let kind = binding[path: ["target", "kind"]]?.string, !kind.isEmpty, kind != "Node" {
            throw APIError.badRequest("target kind must be Node, got \(kind)")
        }
        let ctx = ctx.with(subresource: "binding")
        try await store.admitSubresourceCreate(r, namespace: namespace, name: name, body: binding, context: ctx)
        _ = try await store.guaranteedUpdate(r, namespace: namespace, name: name, context: ctx) { old in
            if old[path: ["metadata", "deletionTimestamp"]] != nil {
                throw APIError.conflict(r, name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            if let current = old[path: ["spec", "nodeName"]]?.string, !current.isEmpty {
                throw APIError(code: 409, reason: "Conflict",
                               message: "Operation cannot be fulfilled on pods/binding \"\(name)\": pod \(name) is already assigned to node \"\(current)\"",
                               details: .init(name: name, kind: "pods/binding"))
            }
            var new = old
            new[path: ["spec", "nodeName"]] = .string(node)
            // As upstream's binding: the pod is now scheduled.
            var conditions = (old[path: ["status", "conditions"]]?.array ?? []).filter { $0["type"]?.string != "PodScheduled" }
            conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": nil,
                               "lastTransitionTime": .string(Timestamp.now().rfc3339)])
            new[path: ["status", "conditions"]] = .array(conditions)
            if let ann = binding[path: ["metadata", "annotations"]]?.object {
                for (k, v) in ann { new[path: ["metadata", "annotations", k]] = v }
            }
            return (new, false)
        }
    }
}
