import EdgeAPI

/// What admission steps look at (upstream's admission.Attributes): the
/// operation, the resource and subresource, the object as it would be stored
/// (mutating steps may change it), the stored object for updates and deletes,
/// and the write's context (who, dry run, field manager).
public struct AdmissionRequest: Sendable {
    public var operation: AdmissionOperation
    public var resource: ResourceInfo
    public var namespace: String?
    /// The object's name; on create, the name sent (or the generateName prefix when none was).
    public var name: String
    /// The object written (create, update); for a subresource create, its body (a TokenRequest, an Eviction).
    public var object: JSON?
    /// The stored object (update, delete).
    public var oldObject: JSON?
    public var context: WriteContext
    /// Warnings for the client (Warning headers), added by mutating steps (PodSecurity's `warn`).
    public var warnings: [String] = []

    public init(operation: AdmissionOperation, resource: ResourceInfo, namespace: String?, name: String, object: JSON?,
                oldObject: JSON? = nil, context: WriteContext) {
        self.operation = operation
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.object = object
        self.oldObject = oldObject
        self.context = context
    }

    public var user: UserInfo { context.user }
    public var subresource: String? { context.subresource }
    public var dryRun: Bool { context.dryRun }

    /// Whether this is about `resource` itself (not a subresource) in the core group.
    public func isCore(_ plural: String, subresource: String? = nil) -> Bool {
        resource.group == "" && resource.plural == plural && self.subresource == subresource
    }
}

public enum AdmissionOperation: String, Sendable {
    case create = "CREATE", update = "UPDATE", delete = "DELETE", connect = "CONNECT"
}
