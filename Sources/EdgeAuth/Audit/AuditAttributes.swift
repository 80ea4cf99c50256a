import EdgeAPI

/// What a policy rule is matched against: the authenticated caller (before any
/// impersonation, as upstream's audit filter runs before its impersonation
/// filter; nil when authentication failed), the verb, and either the resource
/// request or the non-resource path.
public struct AuditAttributes: Sendable {
    public var user: UserInfo?
    public var verb: String
    public var resource: RequestInfo?
    public var path: String

    public init(user: UserInfo?, verb: String, resource: RequestInfo?, path: String) {
        self.user = user
        self.verb = verb
        self.resource = resource
        self.path = path
    }
}
