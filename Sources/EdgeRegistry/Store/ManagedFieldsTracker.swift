import EdgeAPI

/// Keeps metadata.managedFields on every write: the store calls it with the
/// write's strategy and context (field manager, subresource) after the
/// strategy prepared the object and before it is validated. `FieldManager`
/// records as upstream does; `UntrackedManagedFields` keeps what clients send.
public protocol ManagedFieldsTracker: Sendable {
    func trackCreate(_ obj: inout JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws
    func trackUpdate(_ new: inout JSON, old: JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws
}

/// managedFields as clients send them, not recorded by the server.
public struct UntrackedManagedFields: ManagedFieldsTracker {
    public init() {}
    public func trackCreate(_ obj: inout JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {}
    public func trackUpdate(_ new: inout JSON, old: JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {}
}
