import EdgeAPI

/// Score plugins: 0-100 per node, summed with weights; the highest total wins.
public enum Scores {
    /// Favours nodes with the most free cpu and memory after placing the pod.
    static func leastAllocated(_ p: PlacedPod, _ n: NodeInfo) -> Double {
        func free(_ used: Int64, _ cap: Int64) -> Double { cap <= 0 ? 0 : max(0, Double(cap.saturatingSubtracting(used))) / Double(cap) * 100 }
        let after = n.requested + p.requests
        return (free(after.milliCPU, n.allocatable.milliCPU) + free(after.memory, n.allocatable.memory)) / 2
    }

    /// Favours nodes whose cpu and memory use stay in proportion.
    static func balancedAllocation(_ p: PlacedPod, _ n: NodeInfo) -> Double {
        let after = n.requested + p.requests
        let c = n.allocatable.milliCPU > 0 ? Double(after.milliCPU) / Double(n.allocatable.milliCPU) : 0
        let m = n.allocatable.memory > 0 ? Double(after.memory) / Double(n.allocatable.memory) : 0
        return (1 - abs(c - m)) * 100
    }

    /// Sum of the weights of matching preferred node-affinity terms (normalised later).
    static func preferredNodeAffinity(_ p: PlacedPod, _ n: NodeInfo) -> Double {
        var total = 0.0
        for t in p.preferredTerms {
            if let pref = t["preference"], SelectorMatch.nodeSelectorTerm(pref, n) { total += Double(t["weight"]?.int ?? 0) }
        }
        return total
    }

    /// Pods of the same owner (or matching a hostname spread constraint) already on the node; fewer is better.
    static func sameOwnerCount(_ p: PlacedPod, _ n: NodeInfo) -> Double {
        // The common case (an owner, no spread constraints) is a counter lookup.
        if p.hostnameSpread.isEmpty {
            guard let o = p.ownerUID else { return 0 }
            return Double((n.ownerCounts[o] ?? 0) - (n.pods[p.key]?.ownerUID == o ? 1 : 0))
        }
        var count = 0
        for other in n.pods.values where other.key != p.key && other.namespace == p.namespace {
            if let o = p.ownerUID, other.ownerUID == o { count += 1; continue }
            if p.hostnameSpread.contains(where: { SelectorMatch.labelSelector($0["labelSelector"], other.labels) }) { count += 1 }
        }
        return Double(count)
    }

    /// Scores every feasible node; returns the best node's name.
    public static func pick(_ pod: JSON, _ p: PlacedPod, _ nodes: [NodeInfo]) -> String? {
        guard !nodes.isEmpty else { return nil }
        if nodes.count == 1 { return nodes[0].name }
        let affinity = p.preferredTerms.isEmpty ? [] : nodes.map { preferredNodeAffinity(p, $0) }
        let maxAffinity = affinity.max() ?? 0
        let spread = nodes.map { sameOwnerCount(p, $0) }
        let maxSpread = spread.max() ?? 0
        var best: (score: Double, name: String)?
        for (i, n) in nodes.enumerated() {
            var s = leastAllocated(p, n) + balancedAllocation(p, n)
            if maxAffinity > 0 { s += affinity[i] / maxAffinity * 100 * 2 }
            // Spreading weighs double: replicas on distinct nodes survive a node loss.
            s += maxSpread > 0 ? (maxSpread - spread[i]) / maxSpread * 100 * 2 : 200
            if best == nil || s > best!.score || (s == best!.score && n.name < best!.name) { best = (s, n.name) }
        }
        return best?.name
    }
}
