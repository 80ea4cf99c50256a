import EdgeAPI

/// What a pod asks of a node, in the scheduler's units: milli-CPU, bytes, and
/// a pod slot. Effective requests as upstream computes them: the larger of the
/// sum over app containers and the largest init container.
public struct ResourceVector: Sendable, Equatable {
    public var milliCPU: Int64 = 0
    public var memory: Int64 = 0
    public var ephemeralStorage: Int64 = 0
    public var pods: Int64 = 0

    public init(milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, pods: Int64 = 0) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.pods = pods
    }

    // Quantities come from pods and from nodes' own status ("cpu": "9e30" reads as
    // Int64.max): sums and differences saturate instead of trapping the scheduler.
    static func + (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        ResourceVector(milliCPU: a.milliCPU.saturatingAdding(b.milliCPU), memory: a.memory.saturatingAdding(b.memory),
                       ephemeralStorage: a.ephemeralStorage.saturatingAdding(b.ephemeralStorage), pods: a.pods.saturatingAdding(b.pods))
    }

    static func - (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        ResourceVector(milliCPU: a.milliCPU.saturatingSubtracting(b.milliCPU), memory: a.memory.saturatingSubtracting(b.memory),
                       ephemeralStorage: a.ephemeralStorage.saturatingSubtracting(b.ephemeralStorage),
                       pods: a.pods.saturatingSubtracting(b.pods))
    }

    static func max(_ a: ResourceVector, _ b: ResourceVector) -> ResourceVector {
        ResourceVector(milliCPU: Swift.max(a.milliCPU, b.milliCPU), memory: Swift.max(a.memory, b.memory),
                       ephemeralStorage: Swift.max(a.ephemeralStorage, b.ephemeralStorage), pods: Swift.max(a.pods, b.pods))
    }

    /// From a ResourceList JSON (`{"cpu": "500m", "memory": "128Mi"}`).
    public init(list: JSONObject?) {
        guard let list else { return }
        milliCPU = list["cpu"]?.quantityMilli ?? 0
        memory = (list["memory"]?.quantityMilli ?? 0) / 1000
        ephemeralStorage = (list["ephemeral-storage"]?.quantityMilli ?? 0) / 1000
        pods = (list["pods"]?.quantityMilli ?? 0) / 1000
    }

    /// A pod's effective requests (plus its pod slot and overhead).
    public static func requests(of pod: JSON) -> ResourceVector {
        var sum = ResourceVector()
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            sum = sum + ResourceVector(list: c[path: ["resources", "requests"]]?.object ?? c[path: ["resources", "limits"]]?.object)
        }
        for c in pod[path: ["spec", "initContainers"]]?.array ?? [] {
            let r = ResourceVector(list: c[path: ["resources", "requests"]]?.object ?? c[path: ["resources", "limits"]]?.object)
            // Restartable init containers (sidecars) run alongside the app containers.
            if c["restartPolicy"]?.string == "Always" { sum = sum + r } else { sum = .max(sum, r) }
        }
        sum = sum + ResourceVector(list: pod[path: ["spec", "overhead"]]?.object)
        sum.pods = 1
        return sum
    }
}

extension JSON {
    /// A resource.Quantity (string or number) in thousandths of its unit, rounded up.
    var quantityMilli: Int64? { QuantityValue.milliInt(self) }
}
