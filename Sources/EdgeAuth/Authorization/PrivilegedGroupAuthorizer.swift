import EdgeAPI

/// Upstream's privileged-groups authorizer, first in kube-apiserver's chain:
/// members of system:masters may do everything, whatever the other authorizers
/// say; anyone else gets no opinion from it.
public struct PrivilegedGroupAuthorizer: Authorizer {
    public let groups: Set<String>

    public init(groups: Set<String> = [UserInfo.masterGroup]) {
        self.groups = groups
    }

    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        user.groups.contains(where: groups.contains) ? .allow : .noOpinion()
    }
}
