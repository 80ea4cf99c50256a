import EdgeAPI

/// Objects every cluster has from its first start (as kube-apiserver creates them).
public enum ClusterBootstrap {
    public static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    public static func ensureSystemObjects(_ store: ObjectStore) async throws {
        let nsInfo = ResourceRegistry.lookup(group: "", version: "v1", plural: "namespaces")!
        for name in systemNamespaces {
            if try await store.getIfExists(nsInfo, namespace: nil, name: name) != nil { continue }
            let obj: JSON = ["apiVersion": "v1", "kind": "Namespace",
                             "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]]]
            do {
                _ = try await store.create(nsInfo, namespace: nil, object: obj, dryRun: false)
            } catch let e as APIError where e.code == 409 {
                continue
            }
        }
    }
}
