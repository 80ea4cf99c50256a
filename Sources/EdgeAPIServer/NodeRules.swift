import EdgeAPI

/// What a node's agent may do (upstream's Node authorizer, simplified): read
/// what pods need, report pod status and events, and write only its own Node
/// and Lease.
enum NodeRules {
    static let readable: Set<String> = ["nodes", "pods", "services", "endpoints", "endpointslices",
                                        "persistentvolumeclaims", "persistentvolumes", "runtimeclasses"]
    /// Read one by name only (what a pod on the node references), never listed: a node must not
    /// enumerate the cluster's secrets. NodeGraphAuthorizer then checks that a pod on the node refers to it.
    static let fetchable: Set<String> = ["configmaps", "secrets"]
    static let read: Set<String> = ["get", "list", "watch"]
    static let write: Set<String> = ["create", "update", "patch"]

    static func allows(_ user: UserInfo, _ info: RequestInfo) -> Bool {
        guard user.groups.contains("system:nodes"), user.name.hasPrefix("system:node:") else { return false }
        let node = String(user.name.dropFirst("system:node:".count))
        switch (info.resource, info.subresource) {
        case ("nodes", nil), ("nodes", "status"):
            return read.contains(info.verb) || (write.contains(info.verb) && (info.name == node || (info.verb == "create" && info.name == nil)))
        case ("leases", nil):
            return info.namespace == "kube-node-lease" && (info.name == node || (info.verb == "create" && info.name == nil))
                && (write.contains(info.verb) || info.verb == "get")
        case ("pods", "status"):
            return write.contains(info.verb)
        case ("pods", nil):
            return read.contains(info.verb) || info.verb == "delete"
        case ("events", nil):
            return write.contains(info.verb)
        case ("serviceaccounts", "token"):
            return info.verb == "create"
        case (let r, nil) where fetchable.contains(r):
            return info.verb == "get" && info.name != nil
        case (let r, nil) where readable.contains(r):
            return read.contains(info.verb)
        default:
            return false
        }
    }
}
