import EdgeAPI

/// metav1.LabelSelector evaluation. An empty selector matches everything;
/// a missing one matches nothing (as workload controllers treat them).
public enum LabelSelectorMatcher {
    public static func matches(_ selector: JSON?, _ labels: JSONObject) -> Bool {
        guard let sel = selector, sel.object != nil else { return false }
        for (k, v) in sel["matchLabels"]?.object ?? JSONObject() where labels[k] != v { return false }
        for e in sel["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? ""
            let value = labels[key]?.string
            let values = (e["values"]?.array ?? []).compactMap(\.string)
            switch e["operator"]?.string {
            case "In": if !(value.map(values.contains) ?? false) { return false }
            case "NotIn": if value.map(values.contains) ?? false { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }
}
