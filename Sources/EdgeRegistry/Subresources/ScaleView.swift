import EdgeAPI

/// The autoscaling/v1 Scale view of a resource with a `scale` subresource
/// (`kubectl scale`, autoscalers), read and written through the strategy's
/// ScaleSubresource paths.
public enum ScaleView {
    public static func from(_ obj: JSON, _ scale: ScaleSubresource) -> JSON {
        var meta = JSON.object(JSONObject())
        for k in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = obj[path: ["metadata", k]] { meta[k] = v }
        }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
                "spec": ["replicas": .int(obj[path: scale.specReplicasPath]?.int ?? 0)],
                "status": ["replicas": .int(obj[path: scale.statusReplicasPath]?.int ?? 0), "selector": .string(scale.selector(obj))]]
    }

    /// Sets the replicas a Scale asks for on the object (a resourceVersion in the Scale is a precondition).
    public static func update(_ store: ObjectStore, _ r: ResourceInfo, _ scale: ScaleSubresource, namespace: String?, name: String,
                              body: JSON, context ctx: WriteContext) async throws -> JSON {
        guard let replicas = body[path: ["spec", "replicas"]]?.int else {
            throw APIError.invalidField(r, name, field: "spec.replicas", reason: "FieldValueRequired", detail: "Required value")
        }
        if replicas < 0 {
            throw APIError(code: 422, reason: "Invalid",
                           message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0",
                           details: .init(name: name, group: "autoscaling", kind: "Scale",
                                          causes: [.init(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas")]))
        }
        let pinnedRV = body[path: ["metadata", "resourceVersion"]]?.string
        return try await store.guaranteedUpdate(r, namespace: namespace, name: name, context: ctx.with(subresource: "scale")) { old in
            var new = old
            new[path: scale.specReplicasPath] = .int(replicas)
            if let pinnedRV { new[path: ["metadata", "resourceVersion"]] = .string(pinnedRV) }
            return (new, pinnedRV != nil)
        }
    }
}
