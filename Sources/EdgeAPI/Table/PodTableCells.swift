/// The STATUS, READY and RESTARTS of a pod as kubectl prints them.
enum PodTableCells {
    static func ready(_ pod: JSON) -> String {
        let statuses = pod[path: ["status", "containerStatuses"]]?.array ?? []
        let total = pod[path: ["spec", "containers"]]?.array?.count ?? statuses.count
        let ready = statuses.filter { $0["ready"]?.bool == true }.count
        return "\(ready)/\(total)"
    }

    static func restarts(_ pod: JSON, now: Timestamp) -> String {
        var count: Int64 = 0
        var last: Timestamp?
        for c in (pod[path: ["status", "initContainerStatuses"]]?.array ?? []) + (pod[path: ["status", "containerStatuses"]]?.array ?? []) {
            count += c["restartCount"]?.int ?? 0
            if let f = c[path: ["lastState", "terminated", "finishedAt"]]?.string.flatMap(Timestamp.init(rfc3339:)), last == nil || f > last! {
                last = f
            }
        }
        if count > 0, let last { return "\(count) (\(HumanDuration.format(seconds: now.seconds - last.seconds)) ago)" }
        return "\(count)"
    }

    static func status(_ pod: JSON) -> String {
        var reason = pod[path: ["status", "reason"]]?.string ?? pod[path: ["status", "phase"]]?.string ?? "Unknown"
        let inits = pod[path: ["status", "initContainerStatuses"]]?.array ?? []
        let initCount = pod[path: ["spec", "initContainers"]]?.array?.count ?? inits.count
        var initializing = false
        for (i, c) in inits.enumerated() {
            if let t = c[path: ["state", "terminated"]], t["exitCode"]?.int == 0 { continue }
            // Restartable init containers (sidecars) that run count as done.
            if c[path: ["state", "running"]] != nil && c["started"]?.bool == true { continue }
            if let t = c[path: ["state", "terminated"]] {
                if let r = t["reason"]?.string, !r.isEmpty { reason = "Init:" + r }
                else if let sig = t["signal"]?.int, sig != 0 { reason = "Init:Signal:\(sig)" }
                else { reason = "Init:ExitCode:\(t["exitCode"]?.int ?? 0)" }
            } else if let w = c[path: ["state", "waiting"]]?["reason"]?.string, !w.isEmpty, w != "PodInitializing" {
                reason = "Init:" + w
            } else {
                reason = "Init:\(i)/\(initCount)"
            }
            initializing = true
            break
        }
        if !initializing {
            var hasRunning = false
            for c in (pod[path: ["status", "containerStatuses"]]?.array ?? []).reversed() {
                if let w = c[path: ["state", "waiting"]]?["reason"]?.string, !w.isEmpty {
                    reason = w
                } else if let t = c[path: ["state", "terminated"]] {
                    if let r = t["reason"]?.string, !r.isEmpty { reason = r }
                    else if let sig = t["signal"]?.int, sig != 0 { reason = "Signal:\(sig)" }
                    else { reason = "ExitCode:\(t["exitCode"]?.int ?? 0)" }
                } else if c["ready"]?.bool == true && c[path: ["state", "running"]] != nil {
                    hasRunning = true
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = (pod[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }
        if pod[path: ["metadata", "deletionTimestamp"]] != nil {
            reason = pod[path: ["status", "reason"]]?.string == "NodeLost" ? "Unknown" : "Terminating"
        }
        return reason
    }

    static func readinessGates(_ pod: JSON) -> String {
        let gates = (pod[path: ["spec", "readinessGates"]]?.array ?? []).compactMap { $0["conditionType"]?.string }
        if gates.isEmpty { return "<none>" }
        let conds = pod[path: ["status", "conditions"]]?.array ?? []
        let ok = gates.filter { g in conds.contains { $0["type"]?.string == g && $0["status"]?.string == "True" } }.count
        return "\(ok)/\(gates.count)"
    }
}
