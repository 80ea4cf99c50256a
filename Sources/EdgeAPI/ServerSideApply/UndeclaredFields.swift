/// Fields of an apply configuration its type does not declare, as upstream's
/// typed conversion names them (`.spec.template.spec.containers[name="web"].foo`):
/// apply refuses them whatever fieldValidation says ("field not declared in
/// schema"), where other writes prune or warn.
public enum UndeclaredFields {
    public static func find(in obj: JSON, schema: (any TypeSchemaNode)?, limit: Int = 100) -> [String] {
        guard let schema, case .object(let o) = obj else { return [] }
        var out: [String] = []
        for (k, v) in o where k != "apiVersion" && k != "kind" {
            let path = PathElement.field(k).pathText
            guard let child = schema.field(k) else { out.append(path); continue }
            walk(v, child, path, &out, limit)
        }
        return Array(out.prefix(limit))
    }

    static func walk(_ value: JSON, _ schema: any TypeSchemaNode, _ path: String, _ out: inout [String], _ limit: Int) {
        guard out.count < limit, !(schema is DeducedTypeSchema) else { return }
        switch value {
        case .object(let o):
            for (k, v) in o {
                let p = path + PathElement.field(k).pathText
                guard let child = schema.field(k) else { out.append(p); continue }
                walk(v, child, p, &out, limit)
            }
        case .array(let a):
            guard let element = schema.elements else { return }
            let keys: [String]?
            if case .success(let k) = ListElementKeys.keys(a, schema.listType, defaults: schema.keyDefaults) { keys = k } else { keys = nil }
            for (i, v) in a.enumerated() {
                let step = keys.flatMap { PathElement(text: $0[i])?.pathText } ?? "[\(i)]"
                walk(v, element, path + step, &out, limit)
            }
        default:
            return
        }
    }
}
