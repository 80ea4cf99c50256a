import EdgeAPI

/// Upstream's taint-by-condition: while a node reports one of these conditions True, it carries
/// the NoSchedule taint, so the scheduler's taint filter keeps new pods away (DaemonSets tolerate
/// the upstream ones). The edgectl.io ones come from the board's health (EdgeBoards' BoardCondition):
/// a board that is too hot or short of power takes no new pods until it recovers.
enum ConditionTaints {
    static let noSchedule: [(condition: String, taint: String)] = [
        ("MemoryPressure", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "node.kubernetes.io/disk-pressure"),
        ("PIDPressure", "node.kubernetes.io/pid-pressure"),
        ("ThermalPressure", "edgectl.io/thermal-pressure"),
        ("UnderVoltage", "edgectl.io/under-voltage"),
    ]

    /// The NoSchedule taint keys `node`'s conditions call for.
    static func wanted(_ node: JSON) -> Set<String> {
        let conditions = node[path: ["status", "conditions"]]?.array ?? []
        var keys = Set<String>()
        for (condition, taint) in noSchedule where conditions.contains(where: { $0["type"]?.string == condition && $0["status"]?.string == "True" }) {
            keys.insert(taint)
        }
        return keys
    }

    static var managed: Set<String> { Set(noSchedule.map(\.taint)) }
}
