import EdgeAPI

/// Upstream's DefaultTolerationSeconds plugin: pods ride out a node that is
/// unreachable or not ready for 5 minutes before they are evicted, unless
/// they say otherwise.
public struct DefaultTolerationSecondsAdmission: MutatingAdmissionStep {
    public let name = "DefaultTolerationSeconds"
    public static let seconds: Int64 = 300
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        guard request.operation == .create, request.isCore("pods"), var pod = request.object else { return }
        var tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.contains { t in
                let k = t["key"]?.string ?? ""
                let effect = t["effect"]?.string ?? ""
                return (k == key || (k.isEmpty && t["operator"]?.string == "Exists")) && (effect.isEmpty || effect == "NoExecute")
            }
            if !tolerated {
                tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": .int(Self.seconds)])
            }
        }
        pod[path: ["spec", "tolerations"]] = .array(tolerations)
        request.object = pod
    }
}
