/// The Secrets and ConfigMaps a pod refers to by name, for the node graph:
/// volumes (secret, configMap, projected sources), env valueFrom, envFrom in
/// every kind of container, and imagePullSecrets.
public enum PodReferences {
    public static func secrets(of pod: JSON) -> Set<String> {
        var names = Set<String>()
        for ref in pod[path: ["spec", "imagePullSecrets"]]?.array ?? [] { insert(ref["name"], into: &names) }
        for v in pod[path: ["spec", "volumes"]]?.array ?? [] {
            insert(v[path: ["secret", "secretName"]], into: &names)
            for source in v[path: ["projected", "sources"]]?.array ?? [] { insert(source[path: ["secret", "name"]], into: &names) }
        }
        for c in PodContainers.all(of: pod) {
            for e in c["env"]?.array ?? [] { insert(e[path: ["valueFrom", "secretKeyRef", "name"]], into: &names) }
            for e in c["envFrom"]?.array ?? [] { insert(e[path: ["secretRef", "name"]], into: &names) }
        }
        return names
    }

    public static func configMaps(of pod: JSON) -> Set<String> {
        var names = Set<String>()
        for v in pod[path: ["spec", "volumes"]]?.array ?? [] {
            insert(v[path: ["configMap", "name"]], into: &names)
            for source in v[path: ["projected", "sources"]]?.array ?? [] { insert(source[path: ["configMap", "name"]], into: &names) }
        }
        for c in PodContainers.all(of: pod) {
            for e in c["env"]?.array ?? [] { insert(e[path: ["valueFrom", "configMapKeyRef", "name"]], into: &names) }
            for e in c["envFrom"]?.array ?? [] { insert(e[path: ["configMapRef", "name"]], into: &names) }
        }
        return names
    }

    private static func insert(_ name: JSON?, into names: inout Set<String>) {
        if let n = name?.string, !n.isEmpty { names.insert(n) }
    }
}
