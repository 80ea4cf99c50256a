import EdgeAPI

/// The arithmetic of rolling updates, kept pure so it can be tested alone.
public enum DeploymentMath {
    /// An int-or-percent value against a total: surge rounds up, unavailable rounds down (as upstream).
    /// Percentages are whole numbers (upstream reads them with Atoi); every result is
    /// within int32, so nothing here traps on a stored object's odd value ("nan%", "1e308%").
    public static func resolve(_ v: JSON?, total: Int, roundUp: Bool, default def: Int) -> Int {
        guard let v else { return def }
        if let i = v.clampedInt { return i }
        if let s = v.string, s.hasSuffix("%"), let p = Int32(s.dropLast()) {
            let x = Double(total) * Double(p) / 100
            let r = roundUp ? x.rounded(.up) : x.rounded(.down)
            return Int(min(max(r, Double(Int32.min)), Double(Int32.max)))
        }
        if let s = v.string, let i = Int32(s) { return Int(i) }
        return def
    }

    /// (maxSurge, maxUnavailable) for a deployment; never both zero.
    public static func surgeAndUnavailable(_ d: JSON) -> (Int, Int) {
        let replicas = max(0, d[path: ["spec", "replicas"]]?.clampedInt ?? 1)
        let ru = d[path: ["spec", "strategy", "rollingUpdate"]]
        var surge = resolve(ru?["maxSurge"], total: replicas, roundUp: true, default: Int((Double(replicas) * 0.25).rounded(.up)))
        var unavailable = resolve(ru?["maxUnavailable"], total: replicas, roundUp: false, default: Int((Double(replicas) * 0.25).rounded(.down)))
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        surge = max(0, surge)
        unavailable = min(max(0, unavailable), replicas)
        return (surge, unavailable)
    }

    /// The stable hash naming a template's ReplicaSet: FNV-32a of the
    /// serialized template, spelled with upstream's vowel-free alphabet.
    public static func templateHash(_ template: JSON?, collisionCount: Int64 = 0) -> String {
        var h: UInt32 = 2166136261
        var bytes = JSONSerializer.serialize(canonical(template ?? [:]))
        if collisionCount > 0 { bytes += Array(String(collisionCount).utf8) }
        for b in bytes { h = (h ^ UInt32(b)) &* 16777619 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(String(h).utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// Keys sorted at every level, so equal templates hash equally whatever their key order.
    static func canonical(_ v: JSON) -> JSON {
        switch v {
        case .object(let o): return .object(JSONObject(o.sortedKeys.map { ($0, canonical(o[$0]!)) }))
        case .array(let a): return .array(a.map(canonical))
        default: return v
        }
    }

    /// A template without the pod-template-hash label, for comparing a ReplicaSet with its Deployment.
    public static func withoutHashLabel(_ template: JSON?) -> JSON {
        var t = template ?? [:]
        t[path: ["metadata", "labels", "pod-template-hash"]] = nil
        if t[path: ["metadata", "labels"]]?.object?.isEmpty == true { t[path: ["metadata", "labels"]] = nil }
        return t
    }
}
