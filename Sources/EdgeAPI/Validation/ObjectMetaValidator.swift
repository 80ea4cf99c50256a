/// ObjectMeta validation every kind shares (upstream's ValidateObjectMeta and
/// ValidateObjectMetaUpdate): the name by the kind's rule, labels,
/// annotations, finalizers and owner references; on update, name and
/// namespace may not change.
public enum ObjectMetaValidator {
    public static func validate(_ m: JSON?, nameRule: NameRule) -> [FieldError] {
        var errs: [FieldError] = []
        let name = m?["name"]?.string ?? ""
        if name.isEmpty {
            errs.append(.required("metadata.name", "name or generateName is required"))
        } else {
            errs += nameRule.errors("metadata.name", name)
        }
        errs += labels(m?["labels"], path: "metadata.labels")
        for k in (m?["annotations"]?.object ?? JSONObject()).keys where !LabelRules.isQualifiedName(k) {
            errs.append(.invalid("metadata.annotations", .string(k), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
        }
        for (i, f) in (m?["finalizers"]?.array ?? []).enumerated() where !LabelRules.isQualifiedName(f.string ?? "") {
            errs.append(.invalid("metadata.finalizers[\(i)]", f, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
        }
        for (i, r) in (m?["ownerReferences"]?.array ?? []).enumerated() {
            for f in ["apiVersion", "kind", "name", "uid"] where (r[f]?.string ?? "").isEmpty {
                errs.append(.required("metadata.ownerReferences[\(i)].\(f)"))
            }
        }
        return errs
    }

    public static func validateUpdate(_ o: JSON, _ old: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        for f in ["name", "namespace"] where (o[path: ["metadata", f]]?.string ?? "") != (old[path: ["metadata", f]]?.string ?? "") {
            errs.append(.immutable("metadata.\(f)", o[path: ["metadata", f]] ?? .null))
        }
        return errs
    }

    /// A label map (metadata.labels, a selector's matchLabels, a nodeSelector).
    public static func labels(_ l: JSON?, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (k, v) in l?.object ?? JSONObject() {
            if !LabelRules.isQualifiedName(k) {
                errs.append(.invalid(path, .string(k), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"))
            }
            if !LabelRules.isLabelValue(v.string ?? "") {
                errs.append(.invalid(path, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
            }
        }
        return errs
    }

    static func nonNegative(_ o: JSON, _ path: [String], _ errs: inout [FieldError]) {
        if let v = o[path: path]?.int, v < 0 {
            errs.append(.invalid(path.joined(separator: "."), .int(v), "must be greater than or equal to 0"))
        }
    }
}
