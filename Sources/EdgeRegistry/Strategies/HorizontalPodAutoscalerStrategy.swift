import EdgeAPI

/// autoscaling/v2 HorizontalPodAutoscalers: status.desiredReplicas is always sent.
public struct HorizontalPodAutoscalerStrategy: ResourceStrategy {
    public let resource = BuiltinResources.horizontalPodAutoscalers
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.horizontalPodAutoscaler(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { HorizontalPodAutoscalerValidator.validate(obj) }
    public func canonicalize(_ obj: inout JSON) { StatusSplit.fillZeros(&obj, ["desiredReplicas"]) }
    public var tableColumns: [TableColumn] { TableColumns.horizontalPodAutoscalers }
}
