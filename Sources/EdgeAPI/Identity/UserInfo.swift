/// An authenticated caller (authentication.k8s.io/v1 UserInfo): a user name
/// and the groups authorization looks at. Authentication produces it;
/// authorization, admission and the registry read it from the request's
/// write context.
public struct UserInfo: Sendable, Equatable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String]) {
        self.name = name
        self.groups = groups
    }

    public static let masterGroup = "system:masters"
    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
    /// Who the API server is when it writes on its own behalf (bootstrap objects, namespace clean-up).
    public static let apiServer = UserInfo(name: "system:apiserver", groups: [masterGroup, "system:authenticated"])
}
