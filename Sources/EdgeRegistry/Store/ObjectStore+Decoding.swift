import EdgeAPI

/// Where a body being checked came from: decode errors read differently for a patch result.
public enum DecodeSource: Sendable {
    case body
    /// The object a patch produced (upstream reports its decode errors as an invalid `patch`).
    case patch
}

extension ObjectStore {
    /// The object's kind and apiVersion must be the resource's (or absent); metadata must be an object.
    func checkTypeMeta(_ obj: inout JSON, _ r: ResourceInfo) throws {
        guard obj.object != nil else {
            throw APIError.badRequest("the body of the request must be a \(r.kind) object, got \(obj.typeName)")
        }
        let kind = obj["kind"]?.string ?? ""
        let apiVersion = obj["apiVersion"]?.string ?? ""
        if !kind.isEmpty && kind != r.kind {
            throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(r.kind))")
        }
        if !apiVersion.isEmpty && apiVersion != r.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(r.apiVersion))")
        }
        if let m = obj["metadata"], m.object == nil, !m.isNull {
            throw APIError.badRequest("metadata must be an object, got \(m.typeName)")
        }
        obj["kind"] = .string(r.kind)
        obj["apiVersion"] = .string(r.apiVersion)
    }

    /// Refuses a body whose values its types cannot hold (the check that comes before any admission).
    public func refuseUndecodable(_ obj: JSON, _ strategy: any ResourceStrategy) throws {
        if let typeError = strategy.checkDecoding(obj).typeError {
            throw Self.decodeError(typeError, kind: strategy.resource.kind, version: strategy.resource.version, obj, .body)
        }
    }

    /// Upstream's answer to a decoding error: 400 for a request body, an invalid `patch` (422) for a patch's result.
    public static func decodeError(_ typeError: String, kind: String, version: String, _ obj: JSON, _ source: DecodeSource) -> APIError {
        switch source {
        case .body:
            return APIError.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): \(typeError)")
        case .patch:
            let detail = "Invalid value: \(JSONSerializer.string(.string(JSONSerializer.string(obj)))): \(typeError)"
            return APIError(code: 422, reason: "Invalid", message: " \"\" is invalid: patch: \(detail)",
                            details: .init(causes: [.init(reason: "FieldValueInvalid", message: detail, field: "patch")]))
        }
    }

    /// Typed decoding as upstream's, in this order: a value its field's type cannot hold is refused
    /// whatever the mode (400); fields the types do not define and repeated keys are refused under
    /// Strict, reported under Warn; then unknown fields are dropped (unless Strict refused them).
    /// `preceding` are findings about a patch document itself, reported first as upstream does.
    public func applyFieldValidation(_ obj: inout JSON, _ strategy: any ResourceStrategy, _ mode: FieldValidation,
                                     duplicates: DuplicateKeys = DuplicateKeys(), source: DecodeSource = .body,
                                     preceding: [String] = []) throws -> [String] {
        let r = strategy.resource
        let report = strategy.checkDecoding(obj)
        if let typeError = report.typeError { throw Self.decodeError(typeError, kind: r.kind, version: r.version, obj, source) }
        let findings = Array((preceding + StrictDecodingErrors.list(unknown: report.unknownFields, duplicates: duplicates))
            .prefix(StrictDecodingErrors.limit))
        if !report.unknownFields.isEmpty && mode != .strict { strategy.pruneUnknownFields(&obj) }
        if findings.isEmpty { return [] }
        switch mode {
        case .strict:
            let text = "strict decoding error: " + findings.joined(separator: ", ")
            switch source {
            case .body: throw APIError.badRequest("\(r.kind) in version \"\(r.version)\" cannot be handled as a \(r.kind): \(text)")
            case .patch: throw APIError.badRequest(text)
            }
        case .warn:
            return findings
        case .ignore:
            return []
        }
    }

    /// ObjectMeta by the kind's name rule, then the kind's own rules; 422 with every cause.
    func validateCreate(_ obj: JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {
        let errs = ObjectMetaValidator.validate(obj["metadata"], nameRule: strategy.nameRule) + strategy.validate(obj, ctx)
        if !errs.isEmpty { throw Self.invalid(errs, strategy.resource, obj) }
    }

    func validateUpdate(_ new: JSON, old: JSON, _ strategy: any ResourceStrategy, _ ctx: WriteContext) throws {
        let errs = ObjectMetaValidator.validate(new["metadata"], nameRule: strategy.nameRule)
            + ObjectMetaValidator.validateUpdate(new, old) + strategy.validateUpdate(new, old: old, ctx)
        if !errs.isEmpty { throw Self.invalid(errs, strategy.resource, new) }
    }

    /// Upstream's NewInvalid: `Kind.group "name" is invalid: [field: detail, ...]` with one cause per error.
    public static func invalid(_ errs: [FieldError], _ r: ResourceInfo, _ obj: JSON) -> APIError {
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        return APIError.invalid(r, name, message: FieldError.statusMessage(kind: r.kind, group: r.group, name: name, errs),
                                causes: errs.map { APIError.Cause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) })
    }
}
