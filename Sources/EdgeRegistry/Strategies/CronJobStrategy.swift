import EdgeAPI

/// batch/v1 CronJobs.
public struct CronJobStrategy: ResourceStrategy {
    public let resource = BuiltinResources.cronJobs
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.cronJob(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { JobValidator.cronJob(obj) }
    public var tableColumns: [TableColumn] { TableColumns.cronJobs }
}
