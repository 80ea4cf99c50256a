import EdgeAPI

/// The downward API: pod fields and container resources as strings.
enum FieldPaths {
    struct Unsupported: Error, CustomStringConvertible { let description: String }

    static func value(_ path: String, pod: JSON, hostIP: String, podIP: String?) throws -> String {
        func bracketed(_ prefix: String) -> String? {
            guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { return nil }
            return String(path.dropFirst(prefix.count + 2).dropLast(2))
        }
        if let k = bracketed("metadata.labels") { return pod[path: ["metadata", "labels", k]]?.string ?? "" }
        if let k = bracketed("metadata.annotations") { return pod[path: ["metadata", "annotations", k]]?.string ?? "" }
        switch path {
        case "metadata.name": return pod[path: ["metadata", "name"]]?.string ?? ""
        case "metadata.namespace": return pod[path: ["metadata", "namespace"]]?.string ?? ""
        case "metadata.uid": return pod[path: ["metadata", "uid"]]?.string ?? ""
        case "metadata.labels": return keyValues(pod[path: ["metadata", "labels"]])
        case "metadata.annotations": return keyValues(pod[path: ["metadata", "annotations"]])
        case "spec.nodeName": return pod[path: ["spec", "nodeName"]]?.string ?? ""
        case "spec.serviceAccountName": return pod[path: ["spec", "serviceAccountName"]]?.string ?? ""
        case "status.hostIP", "status.hostIPs": return hostIP
        case "status.podIP", "status.podIPs": return podIP ?? ""
        default: throw Unsupported(description: "unsupported fieldRef fieldPath \(path)")
        }
    }

    /// k="v" lines, sorted, as the downward API writes labels and annotations.
    static func keyValues(_ j: JSON?) -> String {
        (j?.object ?? JSONObject()).map { ($0.0, $0.1.string ?? "") }.sorted { $0.0 < $1.0 }
            .map { "\($0.0)=\"\($0.1)\"" }.joined(separator: "\n")
    }

    /// resourceFieldRef: a container's request or limit divided by the divisor, rounded up;
    /// an unset limit reads as the node's allocatable, as upstream.
    static func resource(_ ref: JSON, pod: JSON, defaultContainer: String, allocatable: [String: String]) throws -> String {
        let name = ref["containerName"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? defaultContainer
        guard let c = ((pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? []))
            .first(where: { $0["name"]?.string == name }) else { throw Unsupported(description: "resourceFieldRef names unknown container \(name)") }
        let resource = ref["resource"]?.string ?? ""
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else { throw Unsupported(description: "unsupported resourceFieldRef resource \(resource)") }
        var quantity = c[path: ["resources", parts[0], parts[1]]]
        if quantity == nil, parts[0] == "limits", let a = allocatable[parts[1]] { quantity = .string(a) }
        if quantity == nil, parts[0] == "requests" { quantity = c[path: ["resources", "limits", parts[1]]] ?? "0" }
        let divisor = ref["divisor"].flatMap(QuantityValue.milli) ?? 1000
        let value = (quantity.flatMap(QuantityValue.milli) ?? 0) / (divisor > 0 ? divisor : 1000)
        return String(QuantityValue.saturatingInt64(value.rounded(.up)) ?? 0)
    }
}
