import EdgeAPI

/// The projected volume upstream's ServiceAccount admission adds to a pod so
/// in-cluster clients find their credentials at
/// /var/run/secrets/kubernetes.io/serviceaccount: a bound token (refreshed by
/// the node), the cluster CA from kube-root-ca.crt, and the pod's namespace.
enum ServiceAccountTokenVolume {
    static let mountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    static let namePrefix = "kube-api-access-"
    /// Upstream's: an hour plus seven seconds, so tokens are told apart from ones requested by hand.
    static let expirationSeconds: Int64 = 3607

    static func volume(name: String) -> JSON {
        ["name": .string(name), "projected": [
            "defaultMode": 420,
            "sources": [
                ["serviceAccountToken": ["expirationSeconds": .int(expirationSeconds), "path": "token"]],
                ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
            ],
        ]]
    }

    /// Adds the volume and a read-only mount in every container and init container that has
    /// nothing mounted at the path yet; a pod that already has such a volume keeps its own.
    static func add(to pod: inout JSON) {
        let volumes = pod[path: ["spec", "volumes"]]?.array ?? []
        let existing = volumes.first { ($0["name"]?.string ?? "").hasPrefix(namePrefix) && $0["projected"] != nil }
        let name = existing?["name"]?.string ?? Identifiers.generatedName(prefix: namePrefix)
        var mounted = false
        for list in ["initContainers", "containers"] {
            guard var containers = pod[path: ["spec", list]]?.array else { continue }
            for i in containers.indices {
                var mounts = containers[i]["volumeMounts"]?.array ?? []
                if mounts.contains(where: { $0["mountPath"]?.string == mountPath }) { continue }
                mounts.append(["name": .string(name), "readOnly": true, "mountPath": .string(mountPath)])
                containers[i]["volumeMounts"] = .array(mounts)
                mounted = true
            }
            pod[path: ["spec", list]] = .array(containers)
        }
        if mounted && existing == nil { pod[path: ["spec", "volumes"]] = .array(volumes + [volume(name: name)]) }
    }
}
