import EdgeAPI

/// The review kinds of authorization.k8s.io and authentication.k8s.io
/// (SelfSubjectAccessReview, TokenReview, ...): created and answered by the
/// API server, never stored, so only their name matters to the catalog.
public struct ReviewStrategy: ResourceStrategy {
    public let resource: ResourceInfo
    public init(_ resource: ResourceInfo) { self.resource = resource }
    public var nameRule: NameRule { .pathSegment }
}
