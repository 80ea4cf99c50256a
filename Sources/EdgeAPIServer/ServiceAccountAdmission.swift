import EdgeAPI

/// The part of upstream's ServiceAccount admission that reads the store: a pod
/// that names no imagePullSecrets gets its service account's, because the
/// node pulls with what the pod lists and never reads service accounts.
enum ServiceAccountAdmission {
    static let serviceAccounts = ResourceRegistry.lookup(group: "", version: "v1", plural: "serviceaccounts")!

    static func addImagePullSecrets(_ pod: inout JSON, store: ObjectStore) async {
        guard (pod[path: ["spec", "imagePullSecrets"]]?.array ?? []).isEmpty,
              pod[path: ["metadata", "annotations", NodeRestriction.mirrorPodAnnotation]] == nil,
              let namespace = pod[path: ["metadata", "namespace"]]?.string else { return }
        let account = pod[path: ["spec", "serviceAccountName"]]?.string ?? "default"
        // A missing account leaves the pod as it is: edgectl does not reject pods created before their account.
        guard let sa = try? await store.getIfExists(serviceAccounts, namespace: namespace, name: account),
              let refs = sa["imagePullSecrets"]?.array else { return }
        let names: [JSON] = refs.compactMap { ref in ref["name"]?.string.flatMap { $0.isEmpty ? nil : ["name": .string($0)] } }
        if !names.isEmpty { pod[path: ["spec", "imagePullSecrets"]] = .array(names) }
    }
}
