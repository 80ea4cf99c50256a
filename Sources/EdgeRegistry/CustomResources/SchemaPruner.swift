import EdgeAPI

/// Upstream's pruning of custom objects: fields the structural schema does not
/// specify are dropped unless x-kubernetes-preserve-unknown-fields keeps them.
/// apiVersion, kind and metadata stay at the root and in embedded resources.
/// The pruned paths are what strict field validation reports as unknown.
public enum SchemaPruner {
    /// Paths of the fields pruning would drop, in document order (`spec.foo`, `spec.items[0].bar`).
    public static func unknownFields(_ value: JSON, _ s: StructuralSchema) -> [String] {
        var out: [String] = []
        walk(value, s, "", root: true, &out)
        return out
    }

    public static func prune(_ value: inout JSON, _ s: StructuralSchema) {
        prune(&value, s, root: true)
    }

    static func keeps(_ key: String, _ s: StructuralSchema, root: Bool) -> Bool {
        if (root || s.embeddedResource) && ["apiVersion", "kind", "metadata"].contains(key) { return true }
        if s.properties[key] != nil || s.preserveUnknownFields { return true }
        switch s.additionalProperties {
        case .schema: return true
        case .allowed(let b): return b
        case .unspecified: return false
        }
    }

    static func walk(_ v: JSON, _ s: StructuralSchema, _ path: String, root: Bool, _ out: inout [String]) {
        switch v {
        case .object(let o):
            for (k, child) in o {
                let p = path.isEmpty ? k : path + "." + k
                if !keeps(k, s, root: root) { out.append(p); continue }
                if root && k == "metadata" { continue }
                if let cs = s.field(k) { walk(child, cs, p, root: false, &out) }
            }
        case .array(let a):
            guard let items = s.items else { return }
            for (i, e) in a.enumerated() { walk(e, items, "\(path)[\(i)]", root: false, &out) }
        default: break
        }
    }

    static func prune(_ v: inout JSON, _ s: StructuralSchema, root: Bool) {
        switch v {
        case .object(var o):
            var changed = false
            for (k, child) in o {
                if !keeps(k, s, root: root) { o[k] = nil; changed = true; continue }
                if root && k == "metadata" { continue }
                guard let cs = s.field(k) else { continue }
                var c = child
                prune(&c, cs, root: false)
                if c != child { o[k] = c; changed = true }
            }
            if changed { v = .object(o) }
        case .array(var a):
            guard let items = s.items else { return }
            for i in a.indices { prune(&a[i], items, root: false) }
            v = .array(a)
        default: break
        }
    }
}
