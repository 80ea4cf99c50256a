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

    static func + (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        ResourceVector(milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory,
                       ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage, pods: a.pods + b.pods)
    }

    static func - (a: ResourceVector, b: ResourceVector) -> ResourceVector {
        ResourceVector(milliCPU: a.milliCPU - b.milliCPU, memory: a.memory - b.memory,
                       ephemeralStorage: a.ephemeralStorage - b.ephemeralStorage, pods: a.pods - b.pods)
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
    var quantityMilli: Int64? {
        switch self {
        case .int(let i): return i.multipliedReportingOverflow(by: 1000).overflow ? Int64.max : i * 1000
        case .double(let d): return Int64((d * 1000).rounded(.up))
        case .string(let s): return QuantityMilli.parse(s)
        default: return nil
        }
    }
}

/// Quantity strings to milli-units for scheduling arithmetic.
enum QuantityMilli {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9),
        ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    static func parse(_ s: String) -> Int64? {
        var number = s
        var factor = 1.0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }), s[s.index(after: e)...].allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }),
           s.index(after: e) < s.endIndex {
            number = String(s[..<e])
            guard let exp = Double(s[s.index(after: e)...]) else { return nil }
            factor = pow10(exp)
        } else {
            for (suffix, f) in suffixes where s.hasSuffix(suffix) {
                number = String(s.dropLast(suffix.count))
                factor = f
                break
            }
        }
        guard let v = Double(number) else { return nil }
        let milli = v * factor * 1000
        if milli >= 9.2e18 { return Int64.max }
        return Int64(milli.rounded(.up))
    }

    static func pow10(_ e: Double) -> Double {
        var r = 1.0
        let n = Int(e)
        if n >= 0 { for _ in 0..<n { r *= 10 } } else { for _ in 0..<(-n) { r /= 10 } }
        return r
    }
}
