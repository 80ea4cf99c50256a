import EdgeAPI

/// core/v1 Pods: created Pending with their QoS class, validated as upstream's
/// pod validation (and what an update may change), deleted gracefully once
/// bound to a node (the node stops the containers, then finishes the delete).
public struct PodStrategy: ResourceStrategy {
    public let resource = BuiltinResources.pods
    public init() {}

    public var tracksGeneration: Bool { true }

    public func applyDefaults(_ obj: inout JSON) { Defaulter.pod(&obj) }

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        obj["status"] = ["phase": "Pending", "qosClass": .string(Self.qosClass(obj))]
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] {
        PodValidator.spec(obj["spec"], path: "spec")
    }

    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        PodValidator.spec(new["spec"], path: "spec") + PodValidator.update(new, old)
    }

    /// Pods on a node get their grace period so the node can stop containers; pods nowhere (or finished) go now.
    public func gracePeriod(_ obj: JSON, requested: Int64?) -> Int64 {
        let phase = obj[path: ["status", "phase"]]?.string
        if (obj[path: ["spec", "nodeName"]]?.string ?? "").isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        if let requested, requested >= 0 { return requested }
        return obj[path: ["spec", "terminationGracePeriodSeconds"]]?.int ?? 30
    }

    public func waitsForGracefulDeletion(_ obj: JSON) -> Bool {
        (obj[path: ["metadata", "deletionGracePeriodSeconds"]]?.int ?? 0) > 0
    }

    public var returnsDeletedObject: Bool { true }
    public var tableColumns: [TableColumn] { TableColumns.pods }
    public var selectableFields: [String] {
        ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
         "status.phase", "status.podIP", "status.nominatedNodeName"]
    }

    /// Upstream's QoS classes: Guaranteed when every container has equal cpu and
    /// memory requests and limits, BestEffort when none has any, else Burstable.
    static func qosClass(_ pod: JSON) -> String {
        let containers = (pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? [])
        var any = false
        var guaranteed = !containers.isEmpty
        for c in containers {
            let req = c[path: ["resources", "requests"]]?.object ?? JSONObject()
            let lim = c[path: ["resources", "limits"]]?.object ?? JSONObject()
            if !req.isEmpty || !lim.isEmpty { any = true }
            for res in ["cpu", "memory"] {
                guard let l = lim[res] else { guaranteed = false; continue }
                if let q = req[res], q != l { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
