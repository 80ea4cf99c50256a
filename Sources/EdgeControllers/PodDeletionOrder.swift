import EdgeAPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which pods a controller deletes first when it has too many: upstream's
/// `ActivePods` order, and with node ranks its `ActivePodsWithRanks` order that
/// the ReplicaSet controller uses. Sorted most-deletable first:
/// 1. unscheduled before scheduled;
/// 2. Pending before Unknown before Running;
/// 3. not ready before ready;
/// 4. (ranked) lower `controller.kubernetes.io/pod-deletion-cost` first;
/// 5. (ranked) pods on a node holding more related pods first, so what is left
///    stays spread over the nodes;
/// 6. ready more recently first;
/// 7. more container restarts first;
/// 8. created more recently first.
/// Ranked, steps 6 and 8 compare ages on a logarithmic scale and break ties by
/// UID (upstream's LogarithmicScaleDown, on by default): pods of about the same
/// age go in an arbitrary but stable order rather than always the newest.
public struct PodDeletionOrder {
    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    /// The facts of one pod the order reads, parsed once.
    struct Facts {
        let pod: JSON
        let scheduled: Bool
        let phaseRank: Int
        let ready: Bool
        let cost: Int32
        let nodeRank: Int
        let readySince: Timestamp?
        let restarts: Int32
        let created: Timestamp?
        let uid: String
    }

    let now: Timestamp
    /// Related active pods per node name; nil for the unranked order.
    let podsOnNode: [String: Int]?

    /// The unranked order (upstream's `ActivePods`), as the Job controller uses.
    public init(now: Timestamp) {
        self.now = now
        self.podsOnNode = nil
    }

    /// The ranked order: `related` are the active pods of every ReplicaSet with
    /// the same controller (a Deployment's old and new ones), counted per node.
    public init(now: Timestamp, related: [JSON]) {
        self.now = now
        var counts: [String: Int] = [:]
        for pod in related where PodHelpers.isActive(pod) {
            counts[pod[path: ["spec", "nodeName"]]?.string ?? "", default: 0] += 1
        }
        self.podsOnNode = counts
    }

    public func sorted(_ pods: [JSON]) -> [JSON] {
        pods.map(facts).sorted(by: deletesFirst).map(\.pod)
    }

    func facts(_ p: JSON) -> Facts {
        let node = p[path: ["spec", "nodeName"]]?.string ?? ""
        let phaseRank: Int
        switch p[path: ["status", "phase"]]?.string {
        case "Pending": phaseRank = 0
        case "Running": phaseRank = 2
        default: phaseRank = 1
        }
        let readyCondition = PodHelpers.condition(p, "Ready")
        let ready = readyCondition?["status"]?.string == "True"
        // An annotation that is not an int32 counts as 0, as upstream.
        let cost = p[path: ["metadata", "annotations", Self.deletionCostAnnotation]]?.string.flatMap { Int32($0) } ?? 0
        let restarts = (p[path: ["status", "containerStatuses"]]?.array ?? []).map { $0["restartCount"]?.int32 ?? 0 }.max() ?? 0
        return Facts(pod: p, scheduled: !node.isEmpty, phaseRank: phaseRank, ready: ready, cost: cost,
                     nodeRank: podsOnNode?[node] ?? 0,
                     readySince: readyCondition?["lastTransitionTime"]?.string.flatMap(Timestamp.init(rfc3339:)),
                     restarts: restarts,
                     created: p[path: ["metadata", "creationTimestamp"]]?.string.flatMap(Timestamp.init(rfc3339:)),
                     uid: p[path: ["metadata", "uid"]]?.string ?? "")
    }

    func deletesFirst(_ a: Facts, _ b: Facts) -> Bool {
        if a.scheduled != b.scheduled { return !a.scheduled }
        if a.phaseRank != b.phaseRank { return a.phaseRank < b.phaseRank }
        if a.ready != b.ready { return !a.ready }
        let ranked = podsOnNode != nil
        if ranked {
            if a.cost != b.cost { return a.cost < b.cost }
            if a.nodeRank != b.nodeRank { return a.nodeRank > b.nodeRank }
        }
        if a.ready && b.ready && a.readySince != b.readySince {
            return ranked ? newerOnLogScale(a.readySince, b.readySince, a.uid, b.uid) : newerOrMissing(a.readySince, b.readySince)
        }
        if a.restarts != b.restarts { return a.restarts > b.restarts }
        if a.created != b.created {
            return ranked ? newerOnLogScale(a.created, b.created, a.uid, b.uid) : newerOrMissing(a.created, b.created)
        }
        return false
    }

    /// A missing time first, then the later time (upstream's afterOrZero).
    func newerOrMissing(_ a: Timestamp?, _ b: Timestamp?) -> Bool {
        guard let a, let b else { return a == nil }
        return b < a
    }

    /// Newer first when the ages differ in their power of two; otherwise by UID.
    func newerOnLogScale(_ a: Timestamp?, _ b: Timestamp?, _ uidA: String, _ uidB: String) -> Bool {
        guard let a, let b else { return newerOrMissing(a, b) }
        let diff = ageBucket(a) - ageBucket(b)
        return diff == 0 ? uidA < uidB : diff < 0
    }

    /// floor(log2(age in nanoseconds)), -1 for no age; Double arithmetic, so
    /// times from outside cannot overflow it.
    func ageBucket(_ t: Timestamp) -> Int {
        let age = (Double(now.seconds) - Double(t.seconds)) * 1e9 + (Double(now.nanoseconds) - Double(t.nanoseconds))
        return age >= 1 ? Int(log2(age).rounded(.down)) : -1
    }
}
