import EdgeAPI

/// core/v1 Events, selectable by the object they are about (`kubectl describe`).
public struct EventStrategy: ResourceStrategy {
    public let resource = BuiltinResources.events
    public init() {}
    public var tableColumns: [TableColumn] { TableColumns.events }
    public var selectableFields: [String] {
        ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
         "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]
    }
}
