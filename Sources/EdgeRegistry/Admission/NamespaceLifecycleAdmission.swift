import EdgeAPI
import EdgeStore

/// Upstream's NamespaceLifecycle plugin: nothing is created in a namespace
/// that does not exist (404) or is being deleted (403, with the
/// NamespaceTerminating cause), so a namespace being emptied stays empty.
public struct NamespaceLifecycleAdmission: MutatingAdmissionStep {
    public let name = "NamespaceLifecycle"
    /// Shared by every store using the chain: answers are keyed by the stored bytes.
    let states = NamespaceStateCache()
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        // Subresource creates (bindings, token requests) act on objects already there.
        guard request.operation == .create, request.subresource == nil, request.resource.namespaced,
              let namespace = request.namespace else { return }
        let namespaces = BuiltinResources.namespaces
        guard let kv = try await store.backend.get(namespaces.key(namespace: nil, name: namespace)) else {
            throw APIError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                           details: .init(name: namespace, kind: "namespaces"))
        }
        let terminating = try states.terminating(kv) { kv in
            let ns = try store.decodeForRead(kv, namespaces)
            return ns[path: ["metadata", "deletionTimestamp"]] != nil || ns[path: ["status", "phase"]]?.string == "Terminating"
        }
        if terminating {
            let r = request.resource
            let target = request.name.isEmpty ? r.qualifiedName : "\(r.qualifiedName) \"\(request.name)\""
            throw APIError(code: 403, reason: "Forbidden",
                           message: "\(target) is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                           details: .init(name: request.name.isEmpty ? nil : request.name, group: r.group, kind: r.plural,
                                          causes: [.init(reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated",
                                                         field: "metadata.namespace")]))
        }
    }
}
