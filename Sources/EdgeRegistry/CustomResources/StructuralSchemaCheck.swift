import EdgeAPI

/// Upstream's test that a CustomResourceDefinition's schema is structural
/// (apiextensions-apiserver's schema.ValidateStructural), worded as upstream
/// words it: every specified field has a type, value validations (anyOf,
/// allOf, oneOf, not) only restrict what the structure declares, metadata is
/// restricted to name and generateName, no $ref, no additionalProperties next
/// to properties. apiextensions.k8s.io/v1 refuses a definition that fails it.
public enum StructuralSchemaCheck {
    enum Level { case root, item, field }

    /// Errors under `path` (e.g. `spec.versions[0].schema.openAPIV3Schema`), sorted as upstream sorts them.
    public static func errors(_ schema: JSON, path: String) -> [FieldError] {
        var errs = forbiddenKeywords(schema, path: path)
        errs += invariants(StructuralSchema(schema), .root, path)
        return errs.sorted { $0.message < $1.message }
    }

    /// Keywords a v1 schema may not use at all (upstream's ValidateCustomResourceDefinitionOpenAPISchema).
    static func forbiddenKeywords(_ schema: JSON, path: String) -> [FieldError] {
        guard let o = schema.object else { return [] }
        var errs: [FieldError] = []
        if o["$ref"] != nil { errs.append(.forbidden(path + ".$ref", "$ref is not supported")) }
        if o["uniqueItems"]?.bool == true {
            errs.append(.forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if o["properties"]?.object.map({ !$0.isEmpty }) == true, o["additionalProperties"] != nil {
            errs.append(.forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"))
        }
        if let p = o["pattern"]?.string {
            if let perl = unsupportedPerlSyntax(p) {
                errs.append(.invalid(path + ".pattern", .string(p),
                                     "must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `\(perl)`"))
            } else if !PatternCache.shared.compiled(p).isValid {
                errs.append(.invalid(path + ".pattern", .string(p), "must be a valid regular expression"))
            }
        }
        if let t = o["type"]?.string, !["object", "array", "string", "integer", "number", "boolean"].contains(t) {
            errs.append(.notSupported(path + ".type", .string(t), ["array", "boolean", "integer", "number", "object", "string"]))
        }
        if let keys = o["x-kubernetes-list-map-keys"]?.array, !keys.isEmpty, o["x-kubernetes-list-type"]?.string != "map" {
            errs.append(.forbidden(path + ".x-kubernetes-list-map-keys", "must be empty if x-kubernetes-list-type is not map"))
        }
        if o["x-kubernetes-list-type"]?.string == "map", (o["x-kubernetes-list-map-keys"]?.array ?? []).isEmpty {
            errs.append(.required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"))
        }
        if let lt = o["x-kubernetes-list-type"]?.string, !["atomic", "set", "map"].contains(lt) {
            errs.append(.notSupported(path + ".x-kubernetes-list-type", .string(lt), ["atomic", "set", "map"]))
        }
        if let mt = o["x-kubernetes-map-type"]?.string, !["atomic", "granular"].contains(mt) {
            errs.append(.notSupported(path + ".x-kubernetes-map-type", .string(mt), ["atomic", "granular"]))
        }
        if let p = o["properties"]?.object {
            for (k, v) in p { errs += forbiddenKeywords(v, path: path + ".properties[\(k)]") }
        }
        if let i = o["items"], i.object != nil { errs += forbiddenKeywords(i, path: path + ".items") }
        if let a = o["additionalProperties"], a.object != nil { errs += forbiddenKeywords(a, path: path + ".additionalProperties") }
        for junctor in ["allOf", "anyOf", "oneOf"] {
            for (i, s) in (o[junctor]?.array ?? []).enumerated() { errs += forbiddenKeywords(s, path: path + ".\(junctor)[\(i)]") }
        }
        if let n = o["not"] { errs += forbiddenKeywords(n, path: path + ".not") }
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
        if s.properties["metadata"] != nil {
            errs.append(.forbidden(path + ".properties[metadata]", "must not be specified in a nested context"))
        }
        return errs
    }
}
