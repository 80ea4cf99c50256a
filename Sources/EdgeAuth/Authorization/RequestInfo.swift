import EdgeAPI

/// What a resource request is about, parsed from its path and method the way
/// kube-apiserver does (`/apis/apps/v1/namespaces/default/deployments/web/scale`).
public struct RequestInfo: Sendable, Equatable {
    public var verb: String
    public var group: String
    public var version: String
    public var resource: String
    public var namespace: String?
    public var name: String?
    public var subresource: String?

    public init(verb: String, group: String, version: String, resource: String, namespace: String? = nil, name: String? = nil,
                subresource: String? = nil) {
        self.verb = verb
        self.group = group
        self.version = version
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// Subresources addressed on a namespace object itself (`/namespaces/x/status`).
    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    /// Parses a resource path; nil for non-resource paths (`/healthz`, discovery).
    public static func parse(method: String, path: String, query: [String: String]) -> RequestInfo? {
        var parts = path.split(separator: "/").map(String.init)
        var group = ""
        let version: String
        if parts.first == "api", parts.count >= 3 {
            version = parts[1]
            parts.removeFirst(2)
        } else if parts.first == "apis", parts.count >= 4 {
            group = parts[1]
            version = parts[2]
            parts.removeFirst(3)
        } else {
            return nil
        }
        var legacyWatch = false
        if parts.first == "watch" {
            legacyWatch = true
            parts.removeFirst()
            if parts.isEmpty { return nil }
        }
        let namespace: String? = parts[0] == "namespaces" && parts.count > 1 ? parts[1] : nil
        if namespace != nil, parts.count > 2, !namespaceSubresources.contains(parts[2]) {
            parts.removeFirst(2)
        }
        let resource = parts[0]
        let name = parts.count > 1 ? parts[1] : nil
        let sub = parts.count > 2 ? parts[2...].joined(separator: "/") : nil
        // As upstream: a namespace object is addressed in its own namespace (`/api/v1/namespaces/x` has namespace x),
        // so authorization names it there.

        let wantsWatch = legacyWatch || ["true", "1"].contains(query["watch"] ?? "")
        let verb: String
        switch method {
        case "GET", "HEAD":
            if wantsWatch { verb = "watch" } else { verb = name == nil ? "list" : "get" }
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
        return RequestInfo(verb: verb, group: group, version: version, resource: resource,
                           namespace: namespace, name: name, subresource: sub)
    }
}
