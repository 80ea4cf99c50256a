/// Who counts as a node, as upstream's node identifier: a user named
/// `system:node:<name>` in the `system:nodes` group. The group alone does not
/// make a node, nor does the name alone.
public enum NodeIdentity {
    public static let userPrefix = "system:node:"
    public static let group = "system:nodes"

    /// The node's name ("" for `system:node:` itself, which no rule matches), or nil when the user is not a node.
    public static func nodeName(of user: UserInfo) -> String? {
        guard user.name.hasPrefix(userPrefix), user.groups.contains(group) else { return nil }
        return String(user.name.dropFirst(userPrefix.count))
    }
}
