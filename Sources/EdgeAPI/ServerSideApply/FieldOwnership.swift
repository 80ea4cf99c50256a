/// Who owns which fields after a write (upstream's structured-merge-diff
/// Updater with the API server's field manager layers): an Update owns what
/// it added or changed and takes it from everyone else; an Apply owns exactly
/// its configuration, merges it into the live object, drops the fields it
/// applied before and no longer does (unless someone else owns them), and
/// stops at conflicts with other managers unless forced.
public enum FieldOwnership {
    /// Fields nobody owns (upstream's stripMeta set): identity and system metadata.
    public static let ignored: FieldSet = {
        var s = FieldSet()
        for f in ["apiVersion", "kind"] { s.insert([PathElement.field(f).text]) }
        s.insert([PathElement.field("metadata").text])
        for f in ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields",
                  "resourceVersion"] {
            s.insert([PathElement.field("metadata").text, PathElement.field(f).text])
        }
        return s
    }()

    /// Another manager's fields an apply would change.
    public struct Conflicts: Error, Sendable {
        public var items: [(manager: ManagedFieldSets.Key, path: [String])]

        /// Upstream's message: one conflict on one line, several grouped by manager.
        public var message: String {
            if items.count == 1 {
                return "Apply failed with 1 conflict: conflict with \(items[0].manager.conflictText): \(FieldSet.pathText(items[0].path))"
            }
            var byManager: [String: [[String]]] = [:]
            for item in items { byManager[item.manager.conflictText, default: []].append(item.path) }
            var lines: [String] = []
            for m in byManager.keys.sorted() {
                lines.append("conflicts with \(m):")
                for p in byManager[m]! { lines.append("- \(FieldSet.pathText(p))") }
            }
            return "Apply failed with \(items.count) conflicts: " + lines.joined(separator: "\n")
        }
    }

    /// Records an Update by `key`: `managers` gain or lose fields; returns whether the writer changed anything.
    @discardableResult
    public static func update(old: JSON?, new: JSON, managers: inout ManagedFieldSets, key: ManagedFieldSets.Key,
                              apiVersion: String, time: JSON, schema: (any TypeSchemaNode)?) -> Bool {
        let c = ObjectComparison.compare(old, new, schema: schema)
        let changed = c.added.union(c.modified).subtracting(ignored)
        let removed = c.removed
        if changed.isEmpty, removed.isEmpty { return false }
        for (k, e) in managers.entries {
            managers.entries[k]!.fields = e.fields.subtracting(changed).subtracting(removed)
        }
        if !changed.isEmpty {
            let previous = managers[key]?.fields ?? FieldSet()
            managers[key] = .init(apiVersion: apiVersion, time: time, fields: previous.union(changed))
        }
        managers.entries = managers.entries.filter { !$0.value.fields.isEmpty }
        return !changed.isEmpty
    }

    /// An Apply of `config` by `key` onto `live` (nil: the object does not exist yet). Returns the merged
    /// object (without managedFields); `managers` are updated. Throws `Conflicts` unless `force`, and
    /// `FieldSetBuilder.InvalidList` for a configuration whose lists cannot be keyed.
    /// `allowedConflicts`: fields another manager owns that this apply may take without force
    /// (client-side apply's last-applied fields, for kubectl).
    public static func apply(live: JSON?, config: JSON, managers: inout ManagedFieldSets, key: ManagedFieldSets.Key,
                             apiVersion: String, time: JSON, force: Bool, schema: (any TypeSchemaNode)?,
                             allowedConflicts: FieldSet = FieldSet()) throws -> JSON {
        let applied = try FieldSetBuilder.fieldSet(of: config, schema: schema).subtracting(ignored)
        var merged = ApplyMerge.merge(live ?? .object(JSONObject()), config, schema: schema)
        // Fields this manager applied last time and no longer does go, unless someone still owns them.
        if let last = managers[key]?.fields {
            let dropped = last.subtracting(applied)
            if !dropped.isEmpty {
                let owned = managers.owned(except: key).union(applied)
                let gone = removable(dropped, owned: owned)
                if !gone.isEmpty { merged = FieldRemover.remove(gone, from: merged, schema: schema) }
            }
        }
        let c = ObjectComparison.compare(live, merged, schema: schema)
        let changed = c.added.union(c.modified)
        var conflicts: [(ManagedFieldSets.Key, [String])] = []
        for (k, e) in managers.entries where k != key {
            let clash = e.fields.intersection(changed)
            if clash.isEmpty { continue }
            for p in clash.subtracting(allowedConflicts).paths() { conflicts.append((k, p)) }
        }
        if !conflicts.isEmpty, !force {
            conflicts.sort { a, b in a.0.conflictText != b.0.conflictText ? a.0.conflictText < b.0.conflictText : false }
            throw Conflicts(items: conflicts)
        }
        for (k, e) in managers.entries where k != key {
            managers.entries[k]!.fields = e.fields.subtracting(changed).subtracting(c.removed)
        }
        let previousTime = managers[key]?.time
        let noChange = live.map { $0 == merged } ?? false
        managers[key] = .init(apiVersion: apiVersion, time: noChange && previousTime != nil ? previousTime : time, fields: applied)
        managers.entries = managers.entries.filter { !$0.value.fields.isEmpty }
        return merged
    }

    /// The part of `dropped` nobody owns: a member goes whole when nothing at or under it is owned;
    /// otherwise its children are looked at one by one.
    static func removable(_ dropped: FieldSet, owned: FieldSet) -> FieldSet {
        var out = FieldSet()
        for (k, d) in dropped.children {
            let o = owned.children[k] ?? FieldSet()
            var node: FieldSet
            if d.member, o.isEmpty {
                node = FieldSet()
                node.member = true
            } else {
                node = removable(d, owned: o)
                node.member = false
            }
            if !node.isEmpty { out.children[k] = node }
        }
        return out
    }
}
