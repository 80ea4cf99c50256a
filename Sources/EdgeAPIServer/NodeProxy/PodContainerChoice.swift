import EdgeAPI

/// Which container of a pod a log or exec request means, with upstream's
/// refusals: the only container by default, else the caller must name one.
enum PodContainerChoice {
    static func names(_ pod: JSON, _ field: String) -> [String] {
        (pod[path: ["spec", field]]?.array ?? []).compactMap { $0["name"]?.string }
    }

    static func resolve(pod: JSON, name: String, requested: String?) throws -> String {
        let containers = names(pod, "containers")
        let inits = names(pod, "initContainers")
        if let c = requested, !c.isEmpty {
            guard (containers + inits + names(pod, "ephemeralContainers")).contains(c) else {
                throw APIError.badRequest("container \(c) is not valid for pod \(name)")
            }
            return c
        }
        switch containers.count {
        case 1: return containers[0]
        case 0: throw APIError.badRequest("a container name must be specified for pod \(name)")
        default:
            var msg = "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]"
            if !inits.isEmpty { msg += " or one of the init containers: [\(inits.joined(separator: " "))]" }
            throw APIError.badRequest(msg)
        }
    }
}
