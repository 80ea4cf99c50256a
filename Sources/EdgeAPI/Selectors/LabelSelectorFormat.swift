/// Label selectors in their string form (`app=web,tier in (a,b)`), as a Scale's
/// status.selector and `kubectl get -o wide` show them.
public enum LabelSelectorFormat {
    /// A LabelSelector object (matchLabels and matchExpressions).
    public static func string(_ sel: JSON?) -> String {
        guard let sel else { return "" }
        var parts: [String] = []
        if let ml = sel["matchLabels"]?.object {
            for k in ml.sortedKeys { parts.append("\(k)=\(ml[k]?.string ?? "")") }
        }
        for e in sel["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? ""
            let values = (e["values"]?.array ?? []).compactMap(\.string).sorted().joined(separator: ",")
            switch e["operator"]?.string {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: break
            }
        }
        return parts.joined(separator: ",")
    }

    /// A plain label map (a ReplicationController's or a Service's selector), keys sorted.
    public static func string(matchLabels map: JSON?) -> String {
        guard let m = map?.object else { return "" }
        return m.sortedKeys.map { "\($0)=\(m[$0]?.string ?? "")" }.joined(separator: ",")
    }
}
