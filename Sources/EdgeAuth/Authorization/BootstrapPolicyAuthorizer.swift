import EdgeAPI

/// The rules upstream's RBAC bootstrap policy grants everyone edgectl knows,
/// kept as one authorizer step until RBAC (and its seeded roles) replaces it:
/// - system:discovery: authenticated users read the discovery documents and the OpenAPI schema;
/// - kubeadm's cluster-info: anyone (joining machines too) reads kube-public/cluster-info;
/// - kubeadm:get-nodes: bootstrappers read Nodes, so a joining machine can tell that its name is taken;
/// - system:node-bootstrapper and the nodes' certificate roles: bootstrappers and nodes submit and
///   follow certificate signing requests (nodes to renew their client certificates).
/// Anything else gets no opinion.
public struct BootstrapPolicyAuthorizer: Authorizer {
    public init() {}

    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        allows(user, info, path: path) ? .allow : .noOpinion()
    }

    func allows(_ user: UserInfo, _ info: RequestInfo?, path: String) -> Bool {
        guard let info else { return !user.groups.contains("system:unauthenticated") && Self.isDiscovery(path) }
        if user.groups.contains("system:unauthenticated") || user.groups.contains("system:bootstrappers"), info.verb == "get",
           info.group == "", info.resource == "configmaps", info.namespace == "kube-public", info.name == "cluster-info" {
            return true
        }
        if user.groups.contains("system:bootstrappers"), info.verb == "get", info.group == "", info.resource == "nodes", info.subresource == nil {
            return true
        }
        if user.groups.contains("system:bootstrappers") || user.groups.contains(NodeIdentity.group), info.group == "certificates.k8s.io",
           info.resource == "certificatesigningrequests", info.subresource == nil,
           ["create", "get", "list", "watch"].contains(info.verb) {
            return true
        }
        return false
    }

    /// Upstream's system:discovery role, bound to every authenticated user: the API discovery
    /// documents and the OpenAPI schema (a node's or a service account's kubectl validates with it).
    /// Only requests that name no resource reach this, so a path under /api/ here is a discovery document.
    static func isDiscovery(_ path: String) -> Bool {
        path == "/api" || path == "/apis" || path == "/openapi/v2" || path == "/openapi/v3"
            || path.hasPrefix("/api/") || path.hasPrefix("/apis/") || path.hasPrefix("/openapi/v3/")
    }
}
