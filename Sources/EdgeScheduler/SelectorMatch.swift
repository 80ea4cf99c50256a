import EdgeAPI

/// Label and node-selector term matching used by the filters.
enum SelectorMatch {
    /// A metav1.LabelSelector against labels. A nil selector matches nothing
    /// (as upstream for affinity terms); an empty one matches everything.
    static func labelSelector(_ sel: JSON?, _ labels: JSONObject) -> Bool {
        guard let sel, sel.object != nil, let parsed = try? LabelSelector.from(sel) else { return false }
        return parsed.matches(labels)
    }

    static func nodeSelectorTerm(_ term: JSON, _ node: NodeInfo) -> Bool { NodeMatching.term(term, node: node.node) }
}
