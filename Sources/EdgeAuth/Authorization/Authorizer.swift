import EdgeAPI

/// One step of the authorizer chain (upstream's authorizer.Authorizer): it
/// answers allow, deny, or no opinion, with a reason. `info` is nil for a
/// request that names no resource (discovery, /healthz), judged by `path`.
/// The Node authorizer and the bootstrap policy are steps; RBAC will be one more.
public protocol Authorizer: Sendable {
    func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision
}
