/// An authenticated caller: a user name and the groups authorization looks at.
public struct UserInfo: Sendable, Equatable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String]) {
        self.name = name
        self.groups = groups
    }

    public static let masterGroup = "system:masters"
    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
}
