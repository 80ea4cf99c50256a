import EdgeAPI
import EdgeStore

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
        let taken = try await allocateClaimed(&obj, old: nil, store.backend)
        let allocator = self.allocator, backend = store.backend, uid = Self.uid(obj)
        return { outcome in
            if case .stored(let stored) = outcome { return allocator.settle(taken, stored: stored) }
            allocator.release(taken)
            allocator.releaseClaims(taken, uid: uid, backend)
        }
    }

    public func beginUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? {
        try await allocator.load(store.backend)
        let taken = try await allocateClaimed(&new, old: old, store.backend)
        let allocator = self.allocator, backend = store.backend, uid = Self.uid(old)
        return { outcome in
            switch outcome {
            case .stored(let stored):
                allocator.settle(taken, stored: stored)
                allocator.releaseDropped(old: old, new: stored, backend)
            case .deleted, .abandoned:
                // What this write took; a write that deleted the Service has afterDelete give back the rest.
                allocator.release(taken)
                allocator.releaseClaims(taken, uid: uid, backend)
            }
        }
    }

    /// Allocates, and on a store shared with other servers claims what it took; an address another
    /// server's Service claimed in the same instant is passed by and the allocation tried again (an
    /// address asked for by name is then refused as taken, by the allocator itself).
    func allocateClaimed(_ obj: inout JSON, old: JSON?, _ backend: any Backend) async throws -> ServiceAllocator.Allocation {
        let uid = Self.uid(old ?? obj)
        for _ in 0..<Self.claimAttempts {
            var candidate = obj
            let taken = try allocator.allocate(&candidate, old: old, resource)
            if try await allocator.claim(taken, uid: uid, backend) {
                obj = candidate
                return taken
            }
        }
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        throw APIError.invalidField(resource, name, field: "spec.clusterIPs",
                                    detail: "Internal error: failed to allocate a serviceIP: other API servers took \(Self.claimAttempts) candidates first; try again")
    }

    static let claimAttempts = 8

    static func uid(_ obj: JSON) -> String { obj[path: ["metadata", "uid"]]?.string ?? "" }

    /// The claims go before the answer does, so the address can be taken again through any server at once.
    public func afterDelete(_ obj: JSON, _ store: ObjectStore) async { await allocator.release(service: obj, store.backend) }

    public var returnsDeletedObject: Bool { true }
    public var tableColumns: [TableColumn] { TableColumns.services }
    public var selectableFields: [String] { ["spec.clusterIP", "spec.type"] }
}
