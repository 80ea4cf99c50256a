import EdgeAPI

/// The keyword rules an apiextensions.k8s.io/v1 schema must follow beyond
/// being structural (upstream's ValidateCustomResourceDefinitionOpenAPISchema
/// with the options a new v1 definition gets), worded as upstream words them:
/// unsupported JSON-schema keywords, defaults where pruning would be
/// ambiguous, the x-kubernetes-preserve-unknown-fields, -map-type, -list-type
/// and -list-map-keys markers on the types they apply to, set items that are
/// atomic, map keys that are required scalar properties, and the shape of
/// x-kubernetes-validations rules (stored, not evaluated here).
public enum OpenAPISchemaRules {
    /// Rules upstream added later and ratchets: a definition stored before them may be updated
    /// while it still breaks them (see `Options.ratcheted`).
    public struct Options: Sendable {
        /// Items of `x-kubernetes-list-type: set` lists that are lists or objects must be atomic.
        public var atomicSetItems = true
        /// Map-list keys required or defaulted and not nullable; set and map items not nullable.
        public var mapListKeys = true

        public init() {}

        /// What an update may be held to: a rule the stored definition already breaks is not enforced.
        public static func ratcheted(oldSchemas: [JSON]) -> Options {
            var o = Options()
            var withoutSets = Options()
            withoutSets.atomicSetItems = false
            var withoutKeys = Options()
            withoutKeys.mapListKeys = false
            for s in oldSchemas {
                let all = errors(s, path: "", options: Options()).count
                if errors(s, path: "", options: withoutSets).count != all { o.atomicSetItems = false }
                if errors(s, path: "", options: withoutKeys).count != all { o.mapListKeys = false }
            }
            return o
        }
    }

    struct Context {
        var isRoot = false
        var insideResourceMeta = false
        /// Why `default` may not be used here, nil where it may.
        var defaultsForbidden: String?
        var options = Options()
    }

    static let types = ["array", "boolean", "integer", "number", "object", "string"]
    static let ruleReasons = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]
    static let metaFields: Set<String> = ["metadata", "kind", "apiVersion"]

    static func errors(_ schema: JSON, path: String, options: Options = Options()) -> [FieldError] {
        var ctx = Context()
        ctx.isRoot = true
        ctx.options = options
        return check(schema, path, ctx)
    }

    static func check(_ schema: JSON, _ path: String, _ ctx: Context) -> [FieldError] {
        guard let o = schema.object else { return [] }
        var errs = unsupported(o, path, ctx)
        if o["uniqueItems"]?.bool == true {
            errs.append(.forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if let a = o["additionalProperties"] {
            // `additionalProperties: true` beside properties only restates the default.
            if o["properties"]?.object.map({ !$0.isEmpty }) == true, a != .bool(true) {
                errs.append(.forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"))
            }
            if a.object != nil {
                var sub = Context()
                sub.options = ctx.options
                sub.insideResourceMeta = ctx.insideResourceMeta
                sub.defaultsForbidden = ctx.insideResourceMeta ? "inside additionalProperties applying to object metadata" : ctx.defaultsForbidden
                errs += check(a, path + ".additionalProperties", sub)
            }
        }
        let embedded = o["x-kubernetes-embedded-resource"]?.bool == true
        for (k, v) in o["properties"]?.object ?? JSONObject() {
            var sub = Context()
            sub.options = ctx.options
            sub.insideResourceMeta = ctx.insideResourceMeta
            sub.defaultsForbidden = ctx.defaultsForbidden
            if (ctx.isRoot || embedded) && metaFields.contains(k) {
                sub.insideResourceMeta = true
                if ctx.isRoot { sub.defaultsForbidden = "in top-level \(k)" }
            }
            errs += check(v, path + ".properties[\(k)]", sub)
        }
        var nested = Context()
        nested.options = ctx.options
        nested.insideResourceMeta = ctx.insideResourceMeta
        nested.defaultsForbidden = ctx.defaultsForbidden
        if let n = o["not"] { errs += check(n, path + ".not", nested) }
        for junctor in ["allOf", "oneOf", "anyOf"] {
            for (i, s) in (o[junctor]?.array ?? []).enumerated() { errs += check(s, path + ".\(junctor)[\(i)]", nested) }
        }
        if let i = o["items"], i.object != nil { errs += check(i, path + ".items", nested) }
        errs += markers(o, path, ctx.options)
        errs += listMapKeyRules(o, path, ctx.options)
        errs += validationRules(o, path)
        return errs
    }

    /// Keywords upstream's structural schemas have no room for.
    static func unsupported(_ o: JSONObject, _ path: String, _ ctx: Context) -> [FieldError] {
        var errs: [FieldError] = []
        let type = o["type"]?.string ?? ""
        if !type.isEmpty && !types.contains(type) { errs.append(.notSupported(path + ".type", .string(type), types)) }
        if let reason = ctx.defaultsForbidden, o["default"] != nil {
            errs.append(.forbidden(path + ".default", "must not be set " + reason))
        }
        for (key, what) in [("id", "id"), ("additionalItems", "additionalItems"), ("patternProperties", "patternProperties"),
                            ("definitions", "definitions"), ("dependencies", "dependencies"), ("$ref", "$ref")] where o[key] != nil {
            if key == "patternProperties" || key == "definitions", o[key]?.object?.isEmpty == true { continue }
            if key == "id", o[key]?.string?.isEmpty == true { continue }
            errs.append(.forbidden(path + "." + key, "\(what) is not supported"))
        }
        if type == "null" { errs.append(.forbidden(path + ".type", "type cannot be set to null, use nullable as an alternative")) }
        if o["items"]?.array != nil { errs.append(.forbidden(path + ".items", "items must be a schema object and not an array")) }
        if ctx.insideResourceMeta, o["x-kubernetes-embedded-resource"]?.bool == true {
            errs.append(.forbidden(path + ".x-kubernetes-embedded-resource", "must not be used inside of resource meta"))
        }
        if let p = o["pattern"]?.string {
            if let perl = StructuralSchemaCheck.unsupportedPerlSyntax(p) {
                errs.append(.invalid(path + ".pattern", .string(p),
                                     "must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `\(perl)`"))
            } else if !PatternCache.shared.compiled(p).isValid {
                errs.append(.invalid(path + ".pattern", .string(p), "must be a valid regular expression"))
            }
        }
        return errs
    }

    /// The x-kubernetes-* markers, each on the type it describes.
    static func markers(_ o: JSONObject, _ path: String, _ options: Options) -> [FieldError] {
        var errs: [FieldError] = []
        let type = o["type"]?.string ?? ""
        if o["x-kubernetes-preserve-unknown-fields"]?.bool == false {
            errs.append(.invalid(path + ".x-kubernetes-preserve-unknown-fields", false, "must be true or undefined"))
        }
        if let mt = o["x-kubernetes-map-type"]?.string {
            if type != "object" {
                errs.append(type.isEmpty ? .required(path + ".type", "must be object if x-kubernetes-map-type is specified")
                                         : .invalid(path + ".type", .string(type), "must be object if x-kubernetes-map-type is specified"))
            }
            if mt != "atomic" && mt != "granular" {
                errs.append(.notSupported(path + ".x-kubernetes-map-type", .string(mt), ["atomic", "granular"]))
            }
        }
        let listType = o["x-kubernetes-list-type"]?.string
        if let lt = listType {
            if type != "array" {
                errs.append(type.isEmpty ? .required(path + ".type", "must be array if x-kubernetes-list-type is specified")
                                         : .invalid(path + ".type", .string(type), "must be array if x-kubernetes-list-type is specified"))
            } else if lt == "set", options.atomicSetItems, let items = o["items"]?.object {
                // Set items are compared whole: lists and objects in them must be atomic.
                switch items["type"]?.string {
                case "array":
                    if let ilt = items["x-kubernetes-list-type"]?.string, ilt != "atomic" {
                        errs.append(.invalid(path + ".items.x-kubernetes-list-type", .string(ilt), "must be atomic as item of a list with x-kubernetes-list-type=set"))
                    }
                case "object":
                    if items["x-kubernetes-map-type"]?.string != "atomic" {
                        errs.append(.invalid(path + ".items.x-kubernetes-map-type", items["x-kubernetes-list-type"] ?? .string("null"),
                                             "must be atomic as item of a list with x-kubernetes-list-type=set"))
                    }
                default: break
                }
            }
            if !["atomic", "set", "map"].contains(lt) {
                errs.append(.notSupported(path + ".x-kubernetes-list-type", .string(lt), ["atomic", "set", "map"]))
            }
        }
        if !(o["x-kubernetes-list-map-keys"]?.array ?? []).isEmpty {
            if listType == nil {
                errs.append(.required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty"))
            } else if let lt = listType, lt != "map" {
                errs.append(.invalid(path + ".x-kubernetes-list-type", .string(lt), "must be map if x-kubernetes-list-map-keys is non-empty"))
            }
        }
        return errs
    }

    /// A map list's items are objects whose keys are required (or defaulted), non-nullable scalar properties.
    static func listMapKeyRules(_ o: JSONObject, _ path: String, _ options: Options) -> [FieldError] {
        guard let lt = o["x-kubernetes-list-type"]?.string, lt == "map" || lt == "set" else { return [] }
        var errs: [FieldError] = []
        let keysJSON = o["x-kubernetes-list-map-keys"] ?? []
        let keys = (keysJSON.array ?? []).compactMap(\.string)
        let items = o["items"]?.object
        if lt == "map" {
            if keys.isEmpty { errs.append(.required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map")) }
            if o["items"] == nil { errs.append(.required(path + ".items", "must have a schema if x-kubernetes-list-type is map")) }
            if let items {
                let itemType = items["type"]?.string ?? ""
                if itemType != "object" {
                    errs.append(.invalid(path + ".items.type", .string(itemType), "must be object if parent array's x-kubernetes-list-type is map"))
                } else {
                    var seen = Set<String>()
                    let props = items["properties"]?.object ?? JSONObject()
                    for k in keys {
                        if let p = props[k] {
                            if let t = p["type"]?.string, t == "array" || t == "object" {
                                errs.append(.invalid(path + ".items.properties[\(k)].type", .string(itemType),
                                                     "must be a scalar type if parent array's x-kubernetes-list-type is map"))
                            }
                        } else {
                            errs.append(.invalid(path + ".x-kubernetes-list-map-keys", keysJSON, "entries must all be names of item properties"))
                        }
                        if !seen.insert(k).inserted {
                            errs.append(.invalid(path + ".x-kubernetes-list-map-keys", keysJSON, "must not contain duplicate entries"))
                        }
                    }
                }
            }
        }
        guard let items, options.mapListKeys else { return errs }
        if items["nullable"]?.bool == true {
            errs.append(.forbidden(path + ".items.nullable", "cannot be nullable when x-kubernetes-list-type is " + lt))
        }
        if lt == "map" {
            let required = Set((items["required"]?.array ?? []).compactMap(\.string))
            let props = items["properties"]?.object ?? JSONObject()
            for k in keys {
                guard let p = props[k] else { continue }
                if !required.contains(k) && p["default"] == nil {
                    errs.append(.required(path + ".items.properties[\(k)].default",
                                          "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"))
                }
                if p["nullable"]?.bool == true {
                    errs.append(.forbidden(path + ".items.properties[\(k)].nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"))
                }
            }
        }
        return errs
    }

    /// The shape of x-kubernetes-validations rules (their CEL is stored, not compiled, here).
    static func validationRules(_ o: JSONObject, _ path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, rule) in (o["x-kubernetes-validations"]?.array ?? []).enumerated() {
            let p = path + ".x-kubernetes-validations[\(i)]"
            let text = rule["rule"]?.string ?? ""
            let message = rule["message"]?.string ?? ""
            let trimmedRule = trimmed(text), trimmedMessage = trimmed(message)
            if trimmedRule.isEmpty {
                errs.append(.required(p + ".rule", "rule is not specified"))
            } else if !message.isEmpty && trimmedMessage.isEmpty {
                errs.append(.invalid(p + ".message", .string(message), "message must be non-empty if specified"))
            } else if hasLineBreak(trimmedMessage) {
                errs.append(.invalid(p + ".message", .string(message), "message must not contain line breaks"))
            } else if hasLineBreak(trimmedRule) && trimmedMessage.isEmpty {
                errs.append(.required(p + ".message", "message must be specified if rule contains line breaks"))
            }
            if let me = rule["messageExpression"]?.string, !me.isEmpty, trimmed(me).isEmpty {
                errs.append(.required(p + ".messageExpression", "messageExpression must be non-empty if specified"))
            }
            if let reason = rule["reason"]?.string, !ruleReasons.contains(reason) {
                errs.append(.notSupported(p + ".reason", .string(reason), ruleReasons))
            }
            if let fp = rule["fieldPath"]?.string {
                if !fp.isEmpty && trimmed(fp).isEmpty {
                    errs.append(.invalid(p + ".fieldPath", .string(fp), "fieldPath must be non-empty if specified"))
                }
                if hasLineBreak(fp) { errs.append(.invalid(p + ".fieldPath", .string(fp), "fieldPath must not contain line breaks")) }
            }
        }
        return errs
    }

    static func trimmed(_ s: String) -> Substring {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }

    static func hasLineBreak<S: StringProtocol>(_ s: S) -> Bool { s.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }
}
