import EdgeAPI

/// Client-side apply's `kubectl.kubernetes.io/last-applied-configuration`
/// annotation on the way to server-side apply (upstream's lastAppliedManager
/// and lastAppliedUpdater, for the field manager "kubectl" only): fields the
/// annotation still describes truly (the live value is the one last applied)
/// may be taken from client-side apply's manager without force, and the
/// annotation follows what kubectl applies server-side.
enum LastAppliedConfiguration {
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"
    static let manager = "kubectl"

    static func text(of obj: JSON) -> String? {
        guard let s = obj[path: ["metadata", "annotations", annotation]]?.string, !s.isEmpty else { return nil }
        return s
    }

    /// Fields of the last-applied configuration whose live value is still the applied one.
    static func allowedConflicts(live: JSON, schema: (any TypeSchemaNode)?) -> FieldSet {
        guard let text = text(of: live), let last = try? JSONParser.parse(text), last.object != nil,
              let set = try? FieldSetBuilder.fieldSet(of: last, schema: schema) else { return FieldSet() }
        var liveStripped = live
        liveStripped[path: ["metadata", "managedFields"]] = nil
        let c = ObjectComparison.compare(last, liveStripped, schema: schema)
        return set.subtracting(c.modified).subtracting(c.removed)
    }

    /// The annotation's new value: the applied configuration without the annotation itself.
    static func build(from config: JSON) -> String {
        var c = config
        if var a = c[path: ["metadata", "annotations"]]?.object {
            a[annotation] = nil
            c[path: ["metadata", "annotations"]] = a.isEmpty ? nil : .object(a)
        }
        return JSONSerializer.string(c)
    }
}
