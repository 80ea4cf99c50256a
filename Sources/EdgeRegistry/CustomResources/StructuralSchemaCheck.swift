import EdgeAPI

/// Upstream's test that a CustomResourceDefinition's schema is structural
/// (apiextensions-apiserver's schema.ValidateStructural), worded as upstream
/// words it: every specified field has a type, value validations (anyOf,
/// allOf, oneOf, not) only restrict what the structure declares and name no
/// field it does not declare (completeness), metadata is restricted to name
/// and generateName. apiextensions.k8s.io/v1 refuses a definition that fails
/// it; the keyword rules beside it are OpenAPISchemaRules'.
public enum StructuralSchemaCheck {
    enum Level { case root, item, field }

    /// Errors under `path` (e.g. `spec.versions[0].schema.openAPIV3Schema`) in upstream's order: the
    /// structural ones sorted, then the keyword rules (OpenAPISchemaRules).
    public static func errors(_ schema: JSON, path: String, rules: OpenAPISchemaRules.Options = .init()) -> [FieldError] {
        let s = StructuralSchema(schema)
        let structural = invariants(s, .root, path) + completeness(s, path)
        return structural.sorted { $0.message < $1.message }
            + OpenAPISchemaRules.errors(schema, path: path, options: rules).sorted { $0.message < $1.message }
    }

    /// Every field or list a value validation (anyOf, allOf, oneOf, not) of the root names is also
    /// declared by the structure, so pruning and defaulting never meet a field only a junctor knows.
    static func completeness(_ s: StructuralSchema, _ path: String) -> [FieldError] {
        junctorsComplete(s, s, sPath: path, vPath: path)
    }

    /// The junctors of `v` checked against the structure `s`.
    static func junctorsComplete(_ v: StructuralSchema, _ s: StructuralSchema, sPath: String, vPath: String) -> [FieldError] {
        var errs: [FieldError] = []
        if let n = v.not { errs += nestedComplete(n, s, sPath: sPath, vPath: vPath + ".not") }
        for (i, n) in v.allOf.enumerated() { errs += nestedComplete(n, s, sPath: sPath, vPath: vPath + ".allOf[\(i)]") }
        for (i, n) in v.anyOf.enumerated() { errs += nestedComplete(n, s, sPath: sPath, vPath: vPath + ".anyOf[\(i)]") }
        for (i, n) in v.oneOf.enumerated() { errs += nestedComplete(n, s, sPath: sPath, vPath: vPath + ".oneOf[\(i)]") }
        return errs
    }

    static func nestedComplete(_ v: StructuralSchema, _ s: StructuralSchema?, sPath: String, vPath: String) -> [FieldError] {
        guard let s else { return [.required(sPath, "because it is defined in \(vPath)")] }
        var errs = junctorsComplete(v, s, sPath: sPath, vPath: vPath)
        if let items = v.items { errs += nestedComplete(items, s.items, sPath: sPath + ".items", vPath: vPath + ".items") }
        for k in v.propertyNames {
            let sp = sPath + ".properties[\(k)]", vp = vPath + ".properties[\(k)]"
            if let field = s.properties[k] {
                errs += nestedComplete(v.properties[k]!, field, sPath: sp, vPath: vp)
            } else {
                errs.append(.required(sp, "because it is defined in \(vp)"))
            }
        }
        return errs
    }

    /// Constructs upstream's (Go, RE2) regular expressions do not have: lookaround and backreferences.
    /// Refusing them as upstream does also keeps out the patterns that make a backtracking engine slowest.
    static func unsupportedPerlSyntax(_ p: String) -> String? {
        for s in ["(?=", "(?!", "(?<=", "(?<!"] where p.contains(s) { return s }
        let chars = Array(p)
        var i = 0
        while i < chars.count - 1 {
            if chars[i] == "\\" {
                if chars[i + 1].isNumber && chars[i + 1] != "0" { return "\\" + String(chars[i + 1]) }
                i += 2
                continue
            }
            i += 1
        }
        return nil
    }

    static func invariants(_ s: StructuralSchema, _ lvl: Level, _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if s.type == "array" && s.items == nil { errs.append(.required(path + ".items", "must be specified")) }
        if let items = s.items { errs += invariants(items, .item, path + ".items") }
        for k in s.propertyNames { errs += invariants(s.properties[k]!, .field, path + ".properties[\(k)]") }
        switch s.additionalProperties {
        case .unspecified: break
        case .allowed, .schema:
            if lvl == .root { errs.append(.forbidden(path + ".additionalProperties", "must not be used at the root")) }
        }
        if case .schema(let a) = s.additionalProperties { errs += invariants(a, .field, path + ".additionalProperties") }
        if s.intOrString && s.preserveUnknownFields {
            errs.append(.invalid(path + ".x-kubernetes-preserve-unknown-fields", true, "must be false if x-kubernetes-int-or-string is true"))
        }
        if s.intOrString && s.embeddedResource {
            errs.append(.invalid(path + ".x-kubernetes-embedded-resource", true, "must be false if x-kubernetes-int-or-string is true"))
        }
        let intOrStringAnyOf = isIntOrStringPair(s.anyOf)
        let intOrStringAllOf = s.allOf.first.map { isIntOrStringPair($0.anyOf) } ?? false
        if !intOrStringAnyOf {
            for (i, n) in s.anyOf.enumerated() { errs += nested(n, skipAnyOf: false, lvl, path + ".anyOf[\(i)]") }
        }
        for (i, n) in s.allOf.enumerated() { errs += nested(n, skipAnyOf: intOrStringAllOf && i == 0, lvl, path + ".allOf[\(i)]") }
        for (i, n) in s.oneOf.enumerated() { errs += nested(n, skipAnyOf: false, lvl, path + ".oneOf[\(i)]") }
        if let n = s.not { errs += nested(n, skipAnyOf: false, lvl, path + ".not") }

        let checkMetadata = lvl == .root || s.embeddedResource
        if s.embeddedResource && s.type != "object" {
            errs.append(s.type.isEmpty ? .required(path + ".type", "must be object if x-kubernetes-embedded-resource is true")
                                       : .invalid(path + ".type", .string(s.type), "must be object if x-kubernetes-embedded-resource is true"))
        } else if s.type.isEmpty && !s.intOrString && !s.preserveUnknownFields {
            switch lvl {
            case .root: errs.append(.required(path + ".type", "must not be empty at the root"))
            case .item: errs.append(.required(path + ".type", "must not be empty for specified array items"))
            case .field: errs.append(.required(path + ".type", "must not be empty for specified object fields"))
            }
        }
        if s.embeddedResource, case .unspecified = s.additionalProperties {} else if s.embeddedResource {
            errs.append(.forbidden(path + ".additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"))
        }
        if lvl == .root && !s.type.isEmpty && s.type != "object" {
            errs.append(.invalid(path + ".type", .string(s.type), "must be object at the root"))
        }
        if checkMetadata {
            if let k = s.properties["kind"], k.type != "string" {
                errs.append(.invalid(path + ".properties[kind].type", .string(k.type), "must be string"))
            }
            if let a = s.properties["apiVersion"], a.type != "string" {
                errs.append(.invalid(path + ".properties[apiVersion].type", .string(a.type), "must be string"))
            }
            if let m = s.properties["metadata"], m.type != "object" {
                errs.append(.invalid(path + ".properties[metadata].type", .string(m.type), "must be object"))
            }
        }
        if lvl == .root, let m = s.properties["metadata"], !metadataOnlyNames(m) {
            errs.append(.forbidden(path + ".properties[metadata]",
                                   "must not specify anything other than name and generateName, but metadata is implicitly specified"))
        }
        if s.embeddedResource && !s.preserveUnknownFields && s.properties.isEmpty {
            errs.append(.required(path + ".properties",
                                  "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
        }
        return errs
    }

    /// The root's metadata schema may only restrict name and generateName (and say it is an object).
    static func metadataOnlyNames(_ m: StructuralSchema) -> Bool {
        guard let o = m.raw.object else { return true }
        for (k, _) in o where !["type", "properties", "default"].contains(k) { return false }
        return m.propertyNames.allSatisfy { $0 == "name" || $0 == "generateName" }
    }

    static func isIntOrStringPair(_ anyOf: [StructuralSchema]) -> Bool {
        anyOf.count == 2 && anyOf[0].raw == ["type": "integer"] && anyOf[1].raw == ["type": "string"]
    }

    /// A schema under a logic junctor may only validate values, never declare structure.
    static func nested(_ s: StructuralSchema, skipAnyOf: Bool, _ lvl: Level, _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        if !skipAnyOf {
            for (i, n) in s.anyOf.enumerated() { errs += nested(n, skipAnyOf: false, lvl, path + ".anyOf[\(i)]") }
        }
        for (i, n) in s.allOf.enumerated() { errs += nested(n, skipAnyOf: false, lvl, path + ".allOf[\(i)]") }
        for (i, n) in s.oneOf.enumerated() { errs += nested(n, skipAnyOf: false, lvl, path + ".oneOf[\(i)]") }
        if let n = s.not { errs += nested(n, skipAnyOf: false, lvl, path + ".not") }
        if let items = s.items { errs += nested(items, skipAnyOf: false, lvl, path + ".items") }
        for k in s.propertyNames { errs += nested(s.properties[k]!, skipAnyOf: false, .field, path + ".properties[\(k)]") }
        if !s.type.isEmpty { errs.append(.forbidden(path + ".type", "must be empty to be structural")) }
        if case .unspecified = s.additionalProperties {} else {
            errs.append(.forbidden(path + ".additionalProperties", "must be undefined to be structural"))
        }
        if s.defaultValue != nil { errs.append(.forbidden(path + ".default", "must be undefined to be structural")) }
        if s.raw["externalDocs"] != nil { errs.append(.forbidden(path + ".externalDocs", "must be undefined to be structural")) }
        if s.raw["title"]?.string.map({ !$0.isEmpty }) == true { errs.append(.forbidden(path + ".title", "must be empty to be structural")) }
        if s.description.map({ !$0.isEmpty }) == true { errs.append(.forbidden(path + ".description", "must be empty to be structural")) }
        if s.nullable { errs.append(.forbidden(path + ".nullable", "must be false to be structural")) }
        if s.preserveUnknownFields {
            errs.append(.forbidden(path + ".x-kubernetes-preserve-unknown-fields", "must be false to be structural"))
        }
        if s.embeddedResource { errs.append(.forbidden(path + ".x-kubernetes-embedded-resource", "must be false to be structural")) }
        if s.intOrString { errs.append(.forbidden(path + ".x-kubernetes-int-or-string", "must be false to be structural")) }
        if !s.listMapKeys.isEmpty { errs.append(.forbidden(path + ".x-kubernetes-list-map-keys", "must be empty to be structural")) }
        if s.listType != nil { errs.append(.forbidden(path + ".x-kubernetes-list-type", "must be undefined to be structural")) }
        if s.mapType != nil { errs.append(.forbidden(path + ".x-kubernetes-map-type", "must be undefined to be structural")) }
        if !s.validations.isEmpty { errs.append(.forbidden(path + ".x-kubernetes-validations", "must be empty to be structural")) }
        if s.properties["metadata"] != nil {
            errs.append(.forbidden(path + ".properties[metadata]", "must not be specified in a nested context"))
        }
        return errs
    }
}
