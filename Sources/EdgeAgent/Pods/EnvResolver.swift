import EdgeAPI

/// A container's environment as upstream builds it: the image's variables,
/// then envFrom sources, then env entries (later ones win, $(VAR) expands
/// against what came before). A missing required source is a config error.
enum EnvResolver {
    struct ConfigError: Error, CustomStringConvertible { let description: String }

    static func resolve(pod: JSON, container: JSON, image: PodImage, objects: PodObjects, hostIP: String, podIP: String?,
                        allocatable: [String: String]) async throws -> [(String, String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ k: String, _ v: String) {
            if values[k] == nil { order.append(k) }
            values[k] = v
        }
        for kv in image.env {
            let parts = kv.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            set(parts[0], parts.count > 1 ? parts[1] : "")
        }
        var defined: [String: String] = [:]  // what $(VAR) may refer to: the container's own variables
        for src in container["envFrom"]?.array ?? [] {
            let prefix = src["prefix"]?.string ?? ""
            let (kind, ref) = src["secretRef"] != nil ? ("secret", src["secretRef"]!) : ("configmap", src["configMapRef"] ?? [:])
            let name = ref["name"]?.string ?? ""
            guard let data = try await objects.data(kind, name) else {
                if ref["optional"]?.bool == true { continue }
                throw ConfigError(description: "\(kind) \"\(name)\" not found")
            }
            for (k, v) in data {
                let s = String(decoding: v, as: UTF8.self)
                set(prefix + k, s)
                defined[prefix + k] = s
            }
        }
        let containerName = container["name"]?.string ?? ""
        for e in container["env"]?.array ?? [] {
            guard let name = e["name"]?.string else { continue }
            var value: String
            if let v = e["value"]?.string {
                value = ContainerCommand.expand(v, defined)
            } else if let from = e["valueFrom"] {
                if let f = from["fieldRef"] {
                    value = try FieldPaths.value(f["fieldPath"]?.string ?? "", pod: pod, hostIP: hostIP, podIP: podIP)
                } else if let r = from["resourceFieldRef"] {
                    value = try FieldPaths.resource(r, pod: pod, defaultContainer: containerName, allocatable: allocatable)
                } else if let ref = from["configMapKeyRef"] ?? from["secretKeyRef"] {
                    let kind = from["secretKeyRef"] != nil ? "secret" : "configmap"
                    let objName = ref["name"]?.string ?? "", key = ref["key"]?.string ?? ""
                    let optional = ref["optional"]?.bool == true
                    guard let data = try await objects.data(kind, objName) else {
                        if optional { continue }
                        throw ConfigError(description: "\(kind) \"\(objName)\" not found")
                    }
                    guard let bytes = data.first(where: { $0.0 == key })?.1 else {
                        if optional { continue }
                        throw ConfigError(description: "couldn't find key \(key) in \(kind == "secret" ? "Secret" : "ConfigMap") \(objects.namespace)/\(objName)")
                    }
                    value = String(decoding: bytes, as: UTF8.self)
                } else {
                    value = ""
                }
            } else {
                value = ""
            }
            set(name, value)
            defined[name] = value
        }
        // Service links come after the pod's own variables and never replace one (upstream's kubelet), but over the image's.
        for (k, v) in try await objects.serviceEnvironment(pod: pod) where defined[k] == nil { set(k, v) }
        return order.map { ($0, values[$0]!) }
    }
}
