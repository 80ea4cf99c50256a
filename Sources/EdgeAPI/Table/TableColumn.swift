/// One column of a `kubectl get` table: its definition and how to fill a cell.
public struct TableColumn: Sendable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    /// 0: always shown; 1: only with `-o wide`.
    public var priority: Int
    public var cell: @Sendable (_ obj: JSON, _ now: Timestamp) -> JSON

    public init(_ name: String, type: String = "string", format: String = "", priority: Int = 0, description: String = "",
                cell: @escaping @Sendable (JSON, Timestamp) -> JSON) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.cell = cell
    }

    public var definition: JSON {
        ["name": .string(name), "type": .string(type), "format": .string(format), "description": .string(description),
         "priority": .int(Int64(priority))]
    }

    public static let name = TableColumn("Name", format: "name", description: "Name must be unique within a namespace.") { o, _ in
        o[path: ["metadata", "name"]] ?? ""
    }

    public static let age = TableColumn("Age", description: "Time since the object was created.") { o, now in
        .string(HumanDuration.since(o[path: ["metadata", "creationTimestamp"]]?.string, now: now))
    }

    static func text(_ s: String?) -> JSON { .string(s ?? "<none>") }

    static func orNone(_ s: String) -> JSON { .string(s.isEmpty ? "<none>" : s) }
}
