import EdgeAPI

/// apiextensions.k8s.io/v1 CustomResourceDefinition validation, with
/// upstream's field paths and wording: the name is plural.group, names are
/// DNS-1035 labels, the scope is Cluster or Namespaced, exactly one storage
/// version, unique version names, a structural schema for every version,
/// printer columns, subresource paths, conversion strategy, protected groups.
public enum CustomResourceDefinitionValidator {
    static let kindRule = "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"
    static let approvalAnnotation = "api-approved.kubernetes.io"

    public static func validate(_ obj: JSON, rules: OpenAPISchemaRules.Options = .init()) -> [FieldError] {
        let crd = CustomResourceDefinition(obj)
        var errs: [FieldError] = []
        let spec = obj["spec"] ?? [:]
        let group = spec["group"]?.string ?? ""
        if !crd.names.plural.isEmpty && !group.isEmpty && crd.name != "\(crd.names.plural).\(group)" {
            errs.append(.invalid("metadata.name", .string(crd.name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if group.isEmpty {
            errs.append(.required("spec.group"))
        } else {
            errs += NameRules.dns1123Subdomain("spec.group", group)
            if !group.contains(".") { errs.append(.invalid("spec.group", .string(group), "should be a domain with at least one dot")) }
            if isProtected(group), (obj[path: ["metadata", "annotations", approvalAnnotation]]?.string ?? "").isEmpty {
                errs.append(.required("metadata.annotations[\(approvalAnnotation)]",
                                      "protected groups must have approval annotation \"\(approvalAnnotation)\", see https://github.com/kubernetes/enhancements/pull/1111"))
            }
        }
        errs += names(spec["names"], "spec.names")
        switch spec["scope"]?.string ?? "" {
        case "": errs.append(.required("spec.scope"))
        case "Cluster", "Namespaced": break
        case let s: errs.append(.notSupported("spec.scope", .string(s), ["Cluster", "Namespaced"]))
        }
        errs += versions(spec["versions"]?.array ?? [], rules: rules)
        errs += conversion(spec["conversion"])
        return errs
    }

    public static func validateUpdate(_ new: JSON, old: JSON) -> [FieldError] {
        // As upstream, rules added after a definition was stored are not enforced on it while it breaks them.
        let oldSchemas = (old[path: ["spec", "versions"]]?.array ?? []).compactMap { $0[path: ["schema", "openAPIV3Schema"]] }
        var errs = validate(new, rules: .ratcheted(oldSchemas: oldSchemas))
        if let s = new[path: ["spec", "scope"]], let o = old[path: ["spec", "scope"]], s != o {
            errs.append(.immutable("spec.scope", s))
        }
        if let g = new[path: ["spec", "group"]], let o = old[path: ["spec", "group"]], g != o {
            errs.append(.immutable("spec.group", g))
        }
        return errs
    }

    /// Groups that belong to the Kubernetes project need an approved API review.
    static func isProtected(_ group: String) -> Bool {
        group == "k8s.io" || group.hasSuffix(".k8s.io") || group == "kubernetes.io" || group.hasSuffix(".kubernetes.io")
    }

    static func names(_ n: JSON?, _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let plural = n?["plural"]?.string ?? ""
        let singular = n?["singular"]?.string ?? ""
        let kind = n?["kind"]?.string ?? ""
        let listKind = n?["listKind"]?.string ?? ""
        if plural.isEmpty { errs.append(.required(path + ".plural")) } else if !NameRules.isDNS1035Label(plural) {
            errs += NameRules.dns1035Label(path + ".plural", plural)
        }
        if !singular.isEmpty && !NameRules.isDNS1035Label(singular) { errs += NameRules.dns1035Label(path + ".singular", singular) }
        if kind.isEmpty { errs.append(.required(path + ".kind")) } else if !NameRules.isDNS1035Label(kind.lowercased()) {
            errs.append(.invalid(path + ".kind", .string(kind), kindRule))
        }
        if !listKind.isEmpty && !NameRules.isDNS1035Label(listKind.lowercased()) {
            errs.append(.invalid(path + ".listKind", .string(listKind), kindRule))
        }
        if !kind.isEmpty && kind == listKind {
            errs.append(.invalid(path + ".listKind", .string(listKind), "kind and listKind may not be the same or parsing errors may occur"))
        }
        for (i, s) in (n?["shortNames"]?.array ?? []).enumerated() {
            let v = s.string ?? ""
            if !NameRules.isDNS1035Label(v) { errs += NameRules.dns1035Label("\(path).shortNames[\(i)]", v) }
        }
        for (i, s) in (n?["categories"]?.array ?? []).enumerated() {
            let v = s.string ?? ""
            if !NameRules.isDNS1035Label(v) { errs += NameRules.dns1035Label("\(path).categories[\(i)]", v) }
        }
        return errs
    }

    static func versions(_ versions: [JSON], rules: OpenAPISchemaRules.Options) -> [FieldError] {
        var errs: [FieldError] = []
        if versions.isEmpty { return [.required("spec.versions", "must have exactly one version marked as storage version")] }
        let storage = versions.filter { $0["storage"]?.bool == true }.count
        let list = JSON.array(versions.map { .string($0["name"]?.string ?? "") })
        if storage != 1 {
            errs.append(.invalid("spec.versions", list, "must have exactly one version marked as storage version"))
        }
        if !versions.contains(where: { $0["served"]?.bool == true }) {
            errs.append(.invalid("spec.versions", list, "must have at least one version served"))
        }
        var seen = Set<String>()
        for (i, v) in versions.enumerated() {
            let path = "spec.versions[\(i)]"
            let name = v["name"]?.string ?? ""
            if name.isEmpty { errs.append(.required(path + ".name")) } else if !NameRules.isDNS1035Label(name) {
                errs += NameRules.dns1035Label(path + ".name", name)
            }
            if !name.isEmpty && !seen.insert(name).inserted {
                errs.append(.invalid("spec.versions", list, "must contain unique version names"))
            }
            if v["served"]?.bool == nil { errs.append(.required(path + ".served")) }
            if v["storage"]?.bool == nil { errs.append(.required(path + ".storage")) }
            errs += schema(v[path: ["schema", "openAPIV3Schema"]], path + ".schema.openAPIV3Schema", rules: rules)
            errs += subresources(v["subresources"], path + ".subresources")
            errs += printerColumns(v["additionalPrinterColumns"]?.array ?? [], path + ".additionalPrinterColumns")
            for (j, f) in (v["selectableFields"]?.array ?? []).enumerated() {
                let p = f["jsonPath"]?.string ?? ""
                if p.isEmpty { errs.append(.required("\(path).selectableFields[\(j)].jsonPath")) } else if CustomResourceDefinition.dottedPath(p) == nil {
                    errs.append(.invalid("\(path).selectableFields[\(j)].jsonPath", .string(p), "must be a simple json path starting with ."))
                }
            }
        }
        return errs
    }

    static func schema(_ s: JSON?, _ path: String, rules: OpenAPISchemaRules.Options) -> [FieldError] {
        guard let s, s.object != nil else { return [.required(path, "schemas are required")] }
        return StructuralSchemaCheck.errors(s, path: path, rules: rules)
    }

    static func subresources(_ s: JSON?, _ path: String) -> [FieldError] {
        guard let scale = s?["scale"] else { return [] }
        var errs: [FieldError] = []
        let spec = scale["specReplicasPath"]?.string ?? ""
        if spec.isEmpty { errs.append(.required(path + ".scale.specReplicasPath")) } else if !spec.hasPrefix(".spec.") || CustomResourceDefinition.dottedPath(spec) == nil {
            errs.append(.invalid(path + ".scale.specReplicasPath", .string(spec), "should be a json path under .spec"))
        }
        let status = scale["statusReplicasPath"]?.string ?? ""
        if status.isEmpty { errs.append(.required(path + ".scale.statusReplicasPath")) } else if !status.hasPrefix(".status.") || CustomResourceDefinition.dottedPath(status) == nil {
            errs.append(.invalid(path + ".scale.statusReplicasPath", .string(status), "should be a json path under .status"))
        }
        if let sel = scale["labelSelectorPath"]?.string, !sel.isEmpty,
           !(sel.hasPrefix(".spec.") || sel.hasPrefix(".status.")) || CustomResourceDefinition.dottedPath(sel) == nil {
            errs.append(.invalid(path + ".scale.labelSelectorPath", .string(sel), "should be a json path under either .spec or .status"))
        }
        return errs
    }

    static func printerColumns(_ cols: [JSON], _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, c) in cols.enumerated() {
            let p = "\(path)[\(i)]"
            if (c["name"]?.string ?? "").isEmpty { errs.append(.required(p + ".name")) }
            let type = c["type"]?.string ?? ""
            if type.isEmpty { errs.append(.required(p + ".type")) } else if !["integer", "number", "string", "boolean", "date"].contains(type) {
                errs.append(.notSupported(p + ".type", .string(type), ["integer", "number", "string", "boolean", "date"]))
            }
            let jp = c["jsonPath"]?.string ?? ""
            if jp.isEmpty { errs.append(.required(p + ".jsonPath")) } else if SimpleJSONPath(jp) == nil {
                errs.append(.invalid(p + ".jsonPath", .string(jp), "must be a valid JSON Path"))
            }
            if let prio = c["priority"]?.int, prio < 0 { errs.append(.invalid(p + ".priority", .int(prio), "must be non-negative")) }
        }
        return errs
    }

    static func conversion(_ c: JSON?) -> [FieldError] {
        guard let c else { return [] }
        switch c["strategy"]?.string ?? "" {
        case "None": return []
        case "Webhook":
            return c["webhook"] == nil ? [.required("spec.conversion.webhook", "required when strategy is set to Webhook")] : []
        case "": return [.required("spec.conversion.strategy")]
        case let s: return [.notSupported("spec.conversion.strategy", .string(s), ["None", "Webhook"])]
        }
    }

    /// What a write of the definition is told: rules stored but not evaluated, webhooks not called.
    public static func warnings(_ obj: JSON) -> [String] {
        let crd = CustomResourceDefinition(obj)
        var out: [String] = []
        for (i, v) in crd.versions.enumerated() where v.schemaJSON.map({ StructuralSchema($0).hasValidationRules }) == true {
            out.append("spec.versions[\(i)].schema.openAPIV3Schema: x-kubernetes-validations rules are stored but not evaluated by this server (no CEL evaluator)")
        }
        if crd.conversionStrategy == "Webhook" {
            out.append("spec.conversion.strategy: Webhook conversion is not called by this server; versions are converted as with None")
        }
        return out
    }
}
