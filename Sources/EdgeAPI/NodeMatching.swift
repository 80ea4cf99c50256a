/// Whether a pod may go to a node: node selectors, required node affinity,
/// taints and tolerations. Shared by the scheduler, the DaemonSet controller
/// and NoExecute eviction so they agree.
public enum NodeMatching {
    public struct Taint: Sendable, Equatable {
        public var key: String
        public var value: String
        public var effect: String
        public var timeAdded: String?

        public init(key: String, value: String = "", effect: String, timeAdded: String? = nil) {
            self.key = key
            self.value = value
            self.effect = effect
            self.timeAdded = timeAdded
        }

        public init(_ j: JSON) {
            self.init(key: j["key"]?.string ?? "", value: j["value"]?.string ?? "", effect: j["effect"]?.string ?? "",
                      timeAdded: j["timeAdded"]?.string)
        }

        public var json: JSON {
            var o: JSON = ["key": .string(key), "effect": .string(effect)]
            if !value.isEmpty { o["value"] = .string(value) }
            if let timeAdded { o["timeAdded"] = .string(timeAdded) }
            return o
        }
    }

    public static func taints(_ node: JSON) -> [Taint] { (node[path: ["spec", "taints"]]?.array ?? []).map(Taint.init) }

    /// Upstream's ToleratesTaint: an empty key with Exists tolerates everything; an empty effect matches all effects.
    public static func tolerates(_ t: JSON, _ taint: Taint) -> Bool {
        let effect = t["effect"]?.string ?? ""
        if !effect.isEmpty && effect != taint.effect { return false }
        let key = t["key"]?.string ?? ""
        let op = t["operator"]?.string ?? "Equal"
        if key.isEmpty { return op == "Exists" }
        if key != taint.key { return false }
        return op == "Exists" || (t["value"]?.string ?? "") == taint.value
    }

    /// The first NoSchedule/NoExecute taint the tolerations do not cover.
    public static func untoleratedTaint(_ tolerations: [JSON], _ taints: [Taint], effects: Set<String> = ["NoSchedule", "NoExecute"]) -> Taint? {
        taints.first { t in effects.contains(t.effect) && !tolerations.contains { tolerates($0, t) } }
    }

    /// One In/NotIn/Exists/DoesNotExist/Gt/Lt requirement against a value (nil = absent).
    public static func requirement(_ e: JSON, value: String?) -> Bool {
        let values = (e["values"]?.array ?? []).compactMap(\.string)
        switch e["operator"]?.string {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return !(value.map(values.contains) ?? false)
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let v = value.flatMap({ Int64($0) }), let b = values.first.flatMap({ Int64($0) }) else { return false }
            return e["operator"]?.string == "Gt" ? v > b : v < b
        default: return false
        }
    }

    /// A NodeSelectorTerm: every expression on labels and every field (metadata.name) must hold.
    public static func term(_ term: JSON, node: JSON) -> Bool {
        let exprs = term["matchExpressions"]?.array ?? []
        let fields = term["matchFields"]?.array ?? []
        if exprs.isEmpty && fields.isEmpty { return false }
        let labels = node[path: ["metadata", "labels"]]?.object ?? JSONObject()
        for e in exprs where !requirement(e, value: labels[e["key"]?.string ?? ""]?.string) { return false }
        for f in fields {
            let v = f["key"]?.string == "metadata.name" ? node[path: ["metadata", "name"]]?.string : nil
            if !requirement(f, value: v) { return false }
        }
        return true
    }

    /// nodeSelector and required node affinity of a pod spec.
    public static func selects(podSpec spec: JSON?, node: JSON) -> Bool {
        let labels = node[path: ["metadata", "labels"]]?.object ?? JSONObject()
        for (k, v) in spec?["nodeSelector"]?.object ?? JSONObject() where labels[k] != v { return false }
        if let required = spec?[path: ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] {
            let terms = required["nodeSelectorTerms"]?.array ?? []
            if !terms.contains(where: { term($0, node: node) }) { return false }
        }
        return true
    }

    public static func isReady(_ node: JSON) -> Bool {
        (node[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
    }
}
