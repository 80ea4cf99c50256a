import EdgeAPI

/// Upstream's taint-by-condition: while a node reports one of these conditions with the status
/// given, it carries the NoSchedule taint, so the scheduler's taint filter keeps new pods away
/// (a node gone Unknown takes no new pods from the moment it is marked, not only once its
/// NoExecute toleration runs out). The edgectl.io ones come from the board's health (EdgeBoards'
/// BoardCondition): a board that is too hot or short of power takes no new pods until it recovers.
enum ConditionTaints {
    static let noSchedule: [(condition: String, status: String, taint: String)] = [
        ("Ready", "False", "node.kubernetes.io/not-ready"),
        ("Ready", "Unknown", "node.kubernetes.io/unreachable"),
        ("MemoryPressure", "True", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "True", "node.kubernetes.io/disk-pressure"),
        ("PIDPressure", "True", "node.kubernetes.io/pid-pressure"),
        ("NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"),
        ("ThermalPressure", "True", "edgectl.io/thermal-pressure"),
        ("UnderVoltage", "True", "edgectl.io/under-voltage"),
    ]

    /// The NoSchedule taint keys `node`'s conditions call for.
    static func wanted(_ node: JSON) -> Set<String> {
        let conditions = node[path: ["status", "conditions"]]?.array ?? []
        var keys = Set<String>()
        for (condition, status, taint) in noSchedule where conditions.contains(where: { $0["type"]?.string == condition && $0["status"]?.string == status }) {
            keys.insert(taint)
        }
        return keys
    }

    static var managed: Set<String> { Set(noSchedule.map(\.taint)) }
}
