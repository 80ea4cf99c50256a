/// Upstream keeps at most 10 Update entries: past that, the oldest are
/// merged, per API version, into one `ancient-changes` entry (its time the
/// newest merged one's), so an object many writers touched keeps a bounded
/// managedFields list.
public enum UpdateManagerCap {
    public static let maxUpdateManagers = 10
    public static let bucketManager = "ancient-changes"

    public static func apply(_ managers: inout ManagedFieldSets, max: Int = maxUpdateManagers) {
        var updaters = managers.entries.filter { $0.key.operation == ManagedFieldSets.Key.update }.map { ($0.key, $0.value) }
        guard updaters.count > max else { return }
        updaters.sort { a, b in
            let ta = a.1.time?.string ?? "", tb = b.1.time?.string ?? ""
            if ta != tb { return ta < tb }
            return a.0.manager < b.0.manager
        }
        var count = updaters.count
        for (key, entry) in updaters where count > max {
            let bucket = ManagedFieldSets.Key(manager: bucketManager, operation: ManagedFieldSets.Key.update, apiVersion: entry.apiVersion)
            if key == bucket { continue }
            managers.entries[key] = nil
            if let existing = managers.entries[bucket] {
                managers.entries[bucket] = .init(apiVersion: entry.apiVersion, time: entry.time, fields: existing.fields.union(entry.fields))
                count -= 1
            } else {
                managers.entries[bucket] = entry
            }
        }
    }
}
