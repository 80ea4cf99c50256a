import EdgeAPI

/// Records every non-apply write as an Update operation of its field manager
/// (upstream's FieldManager.Update): the manager owns what it added or
/// changed, others lose it and whatever was removed. managedFields a request
/// sets are taken as the starting point (that is how clients move ownership,
/// kubectl's client-side to server-side apply upgrade among them), except on
/// subresources; `[]` or `[{}]` resets them; anything unreadable falls back to
/// the stored ones.
public struct FieldManager: ManagedFieldsTracker {
    let clock: @Sendable () -> Timestamp

    public init(clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.clock = clock
    }

    public func trackCreate(_ obj: inout JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {
        guard !ctx.isApply else { return }
        record(old: nil, new: &obj, strategy, ctx)
    }

    public func trackUpdate(_ new: inout JSON, old: JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {
        guard !ctx.isApply else { return }
        record(old: old, new: &new, strategy, ctx)
    }

    func record(old: JSON?, new: inout JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) {
        let requested = new[path: Self.path]
        let stored = old?[path: Self.path]
        var managers: ManagedFieldSets
        var fromStored = false
        if ctx.subresource != nil {
            managers = ManagedFieldSets(stored) ?? ManagedFieldSets()
            fromStored = true
        } else if ManagedFieldSets.isReset(requested) {
            managers = ManagedFieldSets()
        } else if let m = ManagedFieldSets(requested), !m.entries.isEmpty {
            managers = m
        } else {
            managers = ManagedFieldSets(stored) ?? ManagedFieldSets()
            fromStored = true
        }
        var before = old
        before?[path: Self.path] = nil
        new[path: Self.path] = nil
        let r = strategy.resource
        let key = ManagedFieldSets.Key(manager: ctx.fieldManager, operation: ManagedFieldSets.Key.update, apiVersion: r.apiVersion,
                                       subresource: ctx.subresource ?? "")
        let before2 = managers
        FieldOwnership.update(old: before, new: new, managers: &managers, key: key, apiVersion: r.apiVersion,
                              time: .string(clock().rfc3339), schema: strategy.applySchema)
        UpdateManagerCap.apply(&managers)
        if fromStored, managers == before2, let stored {
            new[path: Self.path] = stored // nothing changed hands: keep the stored list as it is
        } else {
            new[path: Self.path] = managers.json
        }
    }

    static let path = ["metadata", "managedFields"]
}
