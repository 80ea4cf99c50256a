/// The fields an object sets (upstream's ToFieldSet): every scalar, every
/// atomic value and every empty object as a member; objects and maps through
/// their fields; each element of a set or map list as a member and through its
/// fields. What an applier owns is the field set of its configuration.
public enum FieldSetBuilder {
    public struct InvalidList: Error, Sendable {
        /// `.spec.containers: element 0: associative list with keys has an element that omits key field "name" ...`
        public var message: String
    }

    /// Throws for a list whose elements cannot be keyed (what apply refuses).
    public static func fieldSet(of obj: JSON, schema: (any TypeSchemaNode)?) throws(InvalidList) -> FieldSet {
        var set = FieldSet()
        guard case .object(let o) = obj else { return set }
        let root: any TypeSchemaNode = schema ?? DeducedTypeSchema()
        for (k, v) in o {
            let node = try build(v, root.field(k) ?? DeducedTypeSchema(), path: "." + k)
            if !node.isEmpty { set.children[PathElement.field(k).text] = node }
        }
        return set
    }

    static func build(_ value: JSON, _ schema: any TypeSchemaNode, path: String) throws(InvalidList) -> FieldSet {
        var node = FieldSet()
        switch value {
        case .object(let o) where !schema.isAtomic && !o.isEmpty:
            for (k, v) in o {
                let child = try build(v, schema.field(k) ?? DeducedTypeSchema(), path: path + "." + k)
                if !child.isEmpty { node.children[PathElement.field(k).text] = child }
            }
        case .array(let a) where schema.listType != .atomic:
            let elementSchema = schema.elements ?? DeducedTypeSchema()
            switch ListElementKeys.keys(a, schema.listType, defaults: schema.keyDefaults) {
            case .failure(let f): throw InvalidList(message: "\(path): \(f.message)")
            case .success(let keys):
                for (i, key) in keys.enumerated() {
                    var child = schema.listType == .set ? FieldSet() : try build(a[i], elementSchema, path: path + "[\(i)]")
                    child.member = true
                    node.children[key] = child
                }
                // An empty set or map list is still a value its applier sets.
                if a.isEmpty { node.member = true }
            }
        default:
            node.member = true
        }
        return node
    }
}
