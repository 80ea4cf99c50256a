import EdgeAPI

/// Decides whether a user may perform a request. A protocol so RBAC can
/// replace the built-in rules without touching the request path; APIService
/// asks the Node authorizer first, then this one (AuthorizerChain).
public protocol Authorizer: Sendable {
    func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision
}

/// The built-in rules until RBAC arrives: members of system:masters may do
/// everything; joining machines (system:bootstrappers) may do what upstream's
/// system:node-bootstrapper role allows, submit and follow certificate
/// requests (nodes too, to renew); anyone may read kube-public/cluster-info;
/// nobody else may do anything. What nodes may do is the Node authorizer's
/// (NodeGraphAuthorizer), asked before this one.
public struct MasterGroupAuthorizer: Authorizer {
    public init() {}
    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        allows(user, info, path: path) ? .allow : .noOpinion()
    }

    func allows(_ user: UserInfo, _ info: RequestInfo?, path: String) -> Bool {
        if user.groups.contains(UserInfo.masterGroup) { return true }
        if info == nil, !user.groups.contains("system:unauthenticated"), Self.isDiscovery(path) { return true }
        // kubeadm's discovery: anyone may read the public cluster-info (CA and address, no secrets).
        if user.groups.contains("system:unauthenticated") || user.groups.contains("system:bootstrappers"), let info, info.verb == "get",
           info.group == "", info.resource == "configmaps", info.namespace == "kube-public", info.name == "cluster-info" {
            return true
        }
        // Nodes may renew their own client certificates the same way.
        if user.groups.contains("system:bootstrappers") || user.groups.contains("system:nodes"), let info, info.group == "certificates.k8s.io",
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
