import EdgeAPI

/// What a node's agent may ask for, as upstream's Node authorizer and its
/// static node rules: read what pods need, report pod and node status and
/// events, renew its own lease. Writes that depend on the object (its own Node,
/// pods bound to it, a lease of its name, tokens for its pods) are allowed here
/// and narrowed by NodeRestriction at admission, as upstream splits them.
/// Reads of Secrets, ConfigMaps and service account tokens depend on the
/// node's pods: `.related` sends them to NodeGraphAuthorizer.
enum NodeRules {
    enum Outcome: Equatable {
        case allow
        /// No opinion, with upstream's reason (empty when upstream gives none).
        case refuse(String)
        /// Allowed if a pod bound to the node refers to the object (the graph check).
        case related(Relation)
    }

    enum Relation: Equatable {
        case secret, configMap, serviceAccount
    }

    static let read: Set<String> = ["get", "list", "watch"]
    static let write: Set<String> = ["create", "update", "patch"]
    /// Read freely (services for pod environment variables, endpoints and slices for the service proxy).
    static let readable: Set<GroupResource> = [GroupResource("", "services"), GroupResource("", "endpoints"),
                                               GroupResource("discovery.k8s.io", "endpointslices"),
                                               GroupResource("", "persistentvolumeclaims"), GroupResource("", "persistentvolumes"),
                                               GroupResource("node.k8s.io", "runtimeclasses")]

    struct GroupResource: Hashable {
        var group: String
        var resource: String
        init(_ group: String, _ resource: String) {
            self.group = group
            self.resource = resource
        }
    }

    static func decide(node: String, _ info: RequestInfo) -> Outcome {
        let gr = GroupResource(info.group, info.resource)
        switch (gr.group, gr.resource) {
        case ("", "secrets"), ("", "configmaps"):
            return readNamespacedObject(info, gr.resource == "secrets" ? .secret : .configMap)
        case ("", "serviceaccounts"):
            guard info.verb == "create", info.name != nil else { return .refuse("can only create tokens for individual service accounts") }
            guard info.subresource == "token" else { return .refuse("can only create token subresource of serviceaccount") }
            return .related(.serviceAccount)
        case ("coordination.k8s.io", "leases"):
            return lease(node: node, info)
        case ("", "nodes"):
            switch (info.subresource, info.verb) {
            case (nil, let v) where read.contains(v) || write.contains(v): return .allow
            case ("status", "update"), ("status", "patch"): return .allow
            default: return .refuse("")
            }
        case ("", "pods"):
            switch (info.subresource, info.verb) {
            case (nil, let v) where read.contains(v): return .allow
            // Mirror pods, and deleting pods bound to the node: NodeRestriction checks which.
            case (nil, "create"), (nil, "delete"): return .allow
            case ("status", "update"), ("status", "patch"): return .allow
            case ("eviction", "create"): return .allow
            default: return .refuse("")
            }
        case ("certificates.k8s.io", "certificatesigningrequests"):
            // As upstream's static node rules: nodes submit and follow the CSRs of their certificate renewals.
            return info.subresource == nil && ["create", "get", "list", "watch"].contains(info.verb) ? .allow : .refuse("")
        case ("", "events"), ("events.k8s.io", "events"):
            // As upstream: any namespace, no check of the involved object.
            return info.subresource == nil && write.contains(info.verb) ? .allow : .refuse("")
        default:
            return readable.contains(gr) && info.subresource == nil && read.contains(info.verb) ? .allow : .refuse("")
        }
    }

    /// Secrets and ConfigMaps: one named object at a time, and only one a pod on the node refers to.
    static func readNamespacedObject(_ info: RequestInfo, _ relation: Relation) -> Outcome {
        guard read.contains(info.verb) else { return .refuse("can only read resources of this type") }
        guard info.subresource == nil else { return .refuse("cannot read subresource") }
        guard info.namespace != nil else { return .refuse("can only read namespaced object of this type") }
        guard info.name != nil else { return .refuse("No Object name found") }
        return .related(relation)
    }

    static func lease(node: String, _ info: RequestInfo) -> Outcome {
        guard ["get", "create", "update", "patch", "delete"].contains(info.verb), info.subresource == nil else {
            return .refuse("can only get, create, update, patch, or delete a node lease")
        }
        guard info.namespace == "kube-node-lease" else { return .refuse("can only access leases in the \"kube-node-lease\" system namespace") }
        // A create names its lease in the body: NodeRestriction checks that one.
        if info.verb != "create", info.name != node { return .refuse("can only access node lease with the same name as the requesting node") }
        return .allow
    }
}
