import EdgeAPI

/// Decides whether a user may perform a request. A protocol so RBAC can
/// replace the built-in rule without touching the request path.
public protocol Authorizer: Sendable {
    func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> Bool
}

/// Members of system:masters may do everything; nobody else may do anything
/// yet. Also lets system:bootstrappers do what node bootstrap needs.
public struct MasterGroupAuthorizer: Authorizer {
    public init() {}
    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> Bool {
        user.groups.contains(UserInfo.masterGroup)
    }
}
