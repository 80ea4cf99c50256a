import EdgeAPI

/// metav1.LabelSelector evaluation for workload selectors. An empty selector
/// matches everything; a missing or malformed one matches nothing.
public enum LabelSelectorMatcher {
    public static func matches(_ selector: JSON?, _ labels: JSONObject) -> Bool {
        guard let sel = selector, sel.object != nil, let parsed = try? LabelSelector.from(sel) else { return false }
        return parsed.matches(labels)
    }
}
