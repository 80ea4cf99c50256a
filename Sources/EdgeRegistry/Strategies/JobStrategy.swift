import EdgeAPI

/// batch/v1 Jobs: unless the user manages the selector, a Job selects its pods
/// by its own uid (set on create, as upstream).
public struct JobStrategy: ResourceStrategy {
    public let resource = BuiltinResources.jobs
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.job(&obj) }

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        obj["status"] = .object(JSONObject())
        guard obj[path: ["spec", "manualSelector"]]?.bool != true, let uid = obj[path: ["metadata", "uid"]]?.string else { return }
        let name = obj[path: ["metadata", "name"]] ?? ""
        obj[path: ["spec", "selector"]] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
        for (k, v) in [("batch.kubernetes.io/controller-uid", JSON.string(uid)), ("controller-uid", .string(uid)),
                       ("batch.kubernetes.io/job-name", name), ("job-name", name)] {
            obj[path: ["spec", "template", "metadata", "labels", k]] = v
        }
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { JobValidator.job(obj) }
    public var tableColumns: [TableColumn] { TableColumns.jobs }
    public var selectableFields: [String] { ["status.successful"] }
}
