/// The object an audited request is about (audit.k8s.io/v1 ObjectReference).
public struct AuditObjectReference: Sendable, Equatable {
    public var resource = ""
    public var namespace = ""
    public var name = ""
    public var uid = ""
    /// "" for the core group (and then left out, as upstream).
    public var apiGroup = ""
    public var apiVersion = ""
    public var resourceVersion = ""
    public var subresource = ""

    public init(resource: String = "", namespace: String = "", name: String = "", apiGroup: String = "", apiVersion: String = "",
                subresource: String = "") {
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.subresource = subresource
    }
}
