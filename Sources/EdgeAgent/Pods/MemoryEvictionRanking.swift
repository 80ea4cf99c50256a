import EdgeAPI

/// kubelet's eviction order under memory pressure (rankMemoryPressure): pods whose memory use
/// exceeds their requests first, lower priority first among those, and the largest use above
/// requests first; pods within their requests (Guaranteed, Burstable under request) last, by
/// priority. So a BestEffort pod (request 0) goes before a Burstable one that stays under its
/// request; critical pods (system-node-critical, system-cluster-critical) are never chosen.
enum MemoryEvictionRanking {
    struct Candidate: Sendable {
        var pod: JSON
        var uid: String
        /// Working set: usage less inactive file pages, as kubelet counts it.
        var usageBytes: Int64
        var requestBytes: Int64 { MemoryEvictionRanking.requests(pod) }
        var priority: Int64 { pod[path: ["spec", "priority"]]?.int ?? 0 }
        var exceeds: Bool { usageBytes > requestBytes }
    }

    static func rank(_ candidates: [Candidate]) -> [Candidate] {
        candidates.filter { !critical($0.pod) }.sorted { a, b in
            if a.exceeds != b.exceeds { return a.exceeds }
            if a.priority != b.priority { return a.priority < b.priority }
            return a.usageBytes - a.requestBytes > b.usageBytes - b.requestBytes
        }
    }

    static func critical(_ pod: JSON) -> Bool {
        ["system-node-critical", "system-cluster-critical"].contains(pod[path: ["spec", "priorityClassName"]]?.string ?? "")
    }

    /// The pod's memory request: its containers' requests summed (limits stand in where only they are set, as defaulting does).
    static func requests(_ pod: JSON) -> Int64 {
        var total: Int64 = 0
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            let q = c[path: ["resources", "requests", "memory"]] ?? c[path: ["resources", "limits", "memory"]]
            if let q, let milli = QuantityValue.milliInt(q) { total = total.addingReportingOverflow(milli / 1000).partialValue }
        }
        return total
    }
}
