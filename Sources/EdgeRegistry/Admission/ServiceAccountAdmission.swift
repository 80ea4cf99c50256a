import EdgeAPI

/// Upstream's ServiceAccount plugin, as far as edgectl needs it: every pod
/// runs as some account (`default` unless it names one), and a pod that names
/// no imagePullSecrets gets its account's, because the node pulls with what
/// the pod lists and never reads service accounts. A node's mirror pods are
/// left as they are (NodeRestriction refuses one that names an account).
public struct ServiceAccountAdmission: MutatingAdmissionStep {
    public let name = "ServiceAccount"
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        guard request.operation == .create, request.isCore("pods"), var pod = request.object,
              pod[path: ["metadata", "annotations", NodeRestriction.mirrorPodAnnotation]] == nil else { return }
        let named = pod[path: ["spec", "serviceAccountName"]]?.string ?? pod[path: ["spec", "serviceAccount"]]?.string ?? ""
        let account = named.isEmpty ? "default" : named
        pod[path: ["spec", "serviceAccountName"]] = .string(account)
        pod[path: ["spec", "serviceAccount"]] = .string(account)
        if (pod[path: ["spec", "imagePullSecrets"]]?.array ?? []).isEmpty, let namespace = request.namespace,
           // A missing account leaves the pod as it is: edgectl does not reject pods created before their account.
           let sa = try? await store.getIfExists(BuiltinResources.serviceAccounts, namespace: namespace, name: account),
           let refs = sa["imagePullSecrets"]?.array {
            let names: [JSON] = refs.compactMap { ref in ref["name"]?.string.flatMap { $0.isEmpty ? nil : ["name": .string($0)] } }
            if !names.isEmpty { pod[path: ["spec", "imagePullSecrets"]] = .array(names) }
        }
        request.object = pod
    }
}
