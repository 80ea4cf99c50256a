import EdgeAPI
import EdgeRegistry

/// Asks authorizers in order, as upstream's union authorizer: the first allow
/// or deny decides; when all have no opinion the request is refused with
/// their reasons, one per line.
public struct AuthorizerChain: Authorizer {
    public let authorizers: [any Authorizer]

    public init(_ authorizers: [any Authorizer]) {
        self.authorizers = authorizers
    }

    /// kube-apiserver's order: privileged groups, then Node, then RBAC (reading `rbac`, kept from the store).
    public static func standard(store: ObjectStore, rbac: RBACPolicyCache) -> AuthorizerChain {
        AuthorizerChain([PrivilegedGroupAuthorizer(), NodeGraphAuthorizer(store: store), RBACAuthorizer(cache: rbac)])
    }

    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        var reasons: [String] = []
        for a in authorizers {
            let d = await a.authorize(user, info, path: path)
            if d.verdict != .noOpinion { return d }
            if !d.reason.isEmpty { reasons.append(d.reason) }
        }
        return .noOpinion(reasons.joined(separator: "\n"))
    }
}
