/// metadata.managedFields decoded: who owns which fields. An entry is one
/// manager and operation (Apply, or Update per API version and subresource,
/// as upstream's manager identifiers); encoding drops entries that own
/// nothing and sorts as upstream (operation, time, manager, version).
public struct ManagedFieldSets: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var manager: String
        public var operation: String
        /// Part of the identity of Update entries only (an Apply entry is one per manager).
        public var apiVersion: String
        public var subresource: String

        public init(manager: String, operation: String, apiVersion: String, subresource: String = "") {
            self.manager = manager
            self.operation = operation
            self.apiVersion = operation == Self.update ? apiVersion : ""
            self.subresource = subresource
        }

        public static let apply = "Apply"
        public static let update = "Update"

        /// As upstream prints a manager in a conflict: `"kubectl"`, `"x" with subresource "status"`,
        /// `"kubectl-client-side-apply" using apps/v1`.
        public var conflictText: String {
            var s = Self.quoted(manager)
            if !subresource.isEmpty { s += " with subresource \(Self.quoted(subresource))" }
            if operation == Self.update { s += " using \(apiVersion)" }
            return s
        }

        static func quoted(_ s: String) -> String { JSONSerializer.string(.string(s)) }
    }

    public struct Entry: Sendable, Equatable {
        public var apiVersion: String
        public var time: JSON?
        public var fields: FieldSet
    }

    public var entries: [Key: Entry] = [:]

    public init() {}

    public subscript(key: Key) -> Entry? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    /// Fields owned by anyone but `key`.
    public func owned(except key: Key?) -> FieldSet {
        var out = FieldSet()
        for (k, e) in entries where k != key { out = out.union(e.fields) }
        return out
    }

    /// Reads metadata.managedFields; nil when it is not a valid list of entries (unknown fieldsType or
    /// operation, a repeated manager, a FieldsV1 document that is not one).
    public init?(_ json: JSON?) {
        guard let json else { return }
        guard let list = json.array else { return nil }
        for item in list {
            guard let o = item.object,
                  let manager = o["manager"]?.string ?? (o["manager"] == nil ? "" : nil),
                  let operation = o["operation"]?.string, operation == Key.apply || operation == Key.update,
                  o["fieldsType"]?.string == "FieldsV1" else { return nil }
            let apiVersion = o["apiVersion"]?.string ?? ""
            let key = Key(manager: manager, operation: operation, apiVersion: apiVersion, subresource: o["subresource"]?.string ?? "")
            let fields: FieldSet
            if let f = o["fieldsV1"] {
                guard let parsed = FieldSet(fieldsV1: f) else { return nil }
                fields = parsed
            } else {
                fields = FieldSet()
            }
            guard entries[key] == nil else { return nil }
            entries[key] = Entry(apiVersion: apiVersion, time: o["time"], fields: fields)
        }
    }

    /// Whether metadata.managedFields asks for the reset upstream does: `[]` or `[{}]`.
    public static func isReset(_ json: JSON?) -> Bool {
        guard let list = json?.array else { return false }
        return list.isEmpty || (list.count == 1 && list[0].object?.isEmpty == true)
    }

    /// The metadata.managedFields list; nil when nobody owns anything.
    public var json: JSON? {
        let kept = entries.filter { !$0.value.fields.isEmpty }
        guard !kept.isEmpty else { return nil }
        let sorted = kept.sorted { a, b in
            if a.key.operation != b.key.operation { return a.key.operation < b.key.operation }
            let ta = a.value.time?.string ?? "", tb = b.value.time?.string ?? ""
            if ta != tb { return ta < tb }
            if a.key.manager != b.key.manager { return PathElement.utf8Less(a.key.manager, b.key.manager) }
            if a.value.apiVersion != b.value.apiVersion { return a.value.apiVersion < b.value.apiVersion }
            return a.key.subresource < b.key.subresource
        }
        return .array(sorted.map { key, e in
            var o = JSONObject()
            o["manager"] = .string(key.manager)
            o["operation"] = .string(key.operation)
            o["apiVersion"] = .string(e.apiVersion)
            if let t = e.time { o["time"] = t }
            o["fieldsType"] = "FieldsV1"
            o["fieldsV1"] = e.fields.fieldsV1
            if !key.subresource.isEmpty { o["subresource"] = .string(key.subresource) }
            return .object(o)
        })
    }
}
