import EdgeAPI

/// core/v1 Services: named as DNS-1035 labels, defaulted and validated as
/// upstream's, with cluster IPs and node ports taken from the allocator
/// before validation and given back when the write does not happen or the
/// Service goes. DELETE answers with the deleted Service, as upstream.
public struct ServiceStrategy: ResourceStrategy {
    public let resource = BuiltinResources.services
    public let allocator: ServiceAllocator

    public init(allocator: ServiceAllocator) { self.allocator = allocator }

    public var nameRule: NameRule { .dns1035Label }

    public func applyDefaults(_ obj: inout JSON) { Defaulter.service(&obj) }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { ServiceValidator.validate(obj, old: nil) }

    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { ServiceValidator.validate(new, old: old) }

    public func beginCreate(_ obj: inout JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? {
        try await allocator.load(store.backend)
        let taken = try allocator.allocate(&obj, old: nil, resource)
        let allocator = self.allocator
        return { outcome in
            if case .stored(let stored) = outcome { return allocator.settle(taken, stored: stored) }
            allocator.release(taken)
        }
    }

    public func beginUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? {
        try await allocator.load(store.backend)
        let taken = try allocator.allocate(&new, old: old, resource)
        let allocator = self.allocator
        return { outcome in
            switch outcome {
            case .stored(let stored):
                allocator.settle(taken, stored: stored)
                allocator.releaseDropped(old: old, new: stored)
            case .deleted, .abandoned:
                // What this write took; a write that deleted the Service has afterDelete give back the rest.
                allocator.release(taken)
            }
        }
    }

    public func afterDelete(_ obj: JSON) { allocator.release(service: obj) }

    public var returnsDeletedObject: Bool { true }
    public var tableColumns: [TableColumn] { TableColumns.services }
    public var selectableFields: [String] { ["spec.clusterIP", "spec.type"] }
}
