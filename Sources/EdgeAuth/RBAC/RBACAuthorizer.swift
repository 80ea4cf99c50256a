import EdgeAPI

/// Upstream's RBAC authorizer, after Node in the chain: allows what a Role or
/// ClusterRole bound to the caller (by name, group, or as a ServiceAccount)
/// grants; otherwise no opinion, so the refusal names user, verb, resource and
/// namespace as upstream's does. Non-resource requests (discovery, /version)
/// are judged by ClusterRoles' nonResourceURLs with the verb `get`.
public struct RBACAuthorizer: Authorizer {
    let cache: RBACPolicyCache

    public init(cache: RBACPolicyCache) { self.cache = cache }

    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        let policy = await cache.current()
        if let info {
            return policy.allows(user, info) ? .allow : .noOpinion()
        }
        return policy.allows(user, nonResourcePath: path, verb: "get") ? .allow : .noOpinion()
    }
}
