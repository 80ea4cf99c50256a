import EdgeAPI

/// Label and node-selector term matching used by the filters.
enum SelectorMatch {
    /// A metav1.LabelSelector against labels. A nil selector matches nothing
    /// (as upstream for affinity terms); an empty one matches everything.
    static func labelSelector(_ sel: JSON?, _ labels: JSONObject) -> Bool {
        guard let sel, sel.object != nil, let parsed = try? LabelSelector.from(sel) else { return false }
        return parsed.matches(labels)
    }

    /// One In/NotIn/Exists/DoesNotExist/Gt/Lt requirement against a label value (nil = absent).
    static func requirement(_ e: JSON, value: String?) -> Bool {
        let values = (e["values"]?.array ?? []).compactMap(\.string)
        switch e["operator"]?.string {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return !(value.map(values.contains) ?? false)
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt":
            guard let v = value.flatMap({ Int64($0) }), let b = values.first.flatMap({ Int64($0) }) else { return false }
            return v > b
        case "Lt":
            guard let v = value.flatMap({ Int64($0) }), let b = values.first.flatMap({ Int64($0) }) else { return false }
            return v < b
        default: return false
        }
    }

    /// A NodeSelectorTerm (matchExpressions on labels, matchFields on metadata.name); all must hold.
    static func nodeSelectorTerm(_ term: JSON, _ node: NodeInfo) -> Bool {
        let exprs = term["matchExpressions"]?.array ?? []
        let fields = term["matchFields"]?.array ?? []
        if exprs.isEmpty && fields.isEmpty { return false }
        for e in exprs where !requirement(e, value: node.labels[e["key"]?.string ?? ""]?.string) { return false }
        for f in fields {
            let v = f["key"]?.string == "metadata.name" ? node.name : nil
            if !requirement(f, value: v) { return false }
        }
        return true
    }
}
