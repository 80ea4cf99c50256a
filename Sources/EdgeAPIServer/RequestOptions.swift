import EdgeAPI
import EdgeRegistry

/// The write options of a request's query (upstream's CreateOptions,
/// UpdateOptions, PatchOptions): dryRun, fieldManager (defaulted from the
/// User-Agent as upstream), fieldValidation, all checked before any work and
/// carried to the registry in the write's context.
enum RequestOptions {
    static func writeContext(_ request: HTTPRequest, user: UserInfo, subresource: String?, optionsKind: String) throws -> WriteContext {
        var manager = request.query["fieldManager"] ?? ""
        if manager.isEmpty {
            manager = WriteContext.fieldManager(fromUserAgent: request.headers["user-agent"])
        } else {
            try validateFieldManager(manager, optionsKind: optionsKind)
        }
        return WriteContext(user: user, fieldManager: manager, dryRun: try dryRun(request.query),
                            fieldValidation: try fieldValidation(request.query), subresource: subresource)
    }

    static func dryRun(_ query: [String: String]) throws -> Bool {
        guard let d = query["dryRun"], !d.isEmpty else { return false }
        guard d == "All" else {
            throw APIError(code: 400, reason: "BadRequest", message: "Invalid dryRun value: \(d); the only supported value is \"All\"")
        }
        return true
    }

    static func fieldValidation(_ query: [String: String]) throws -> FieldValidation {
        guard let v = query["fieldValidation"], !v.isEmpty else { return .warn }
        guard let f = FieldValidation(rawValue: v) else {
            throw APIError.badRequest("fieldValidation: Unsupported value: \"\(v)\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        return f
    }

    /// Upstream's ValidateFieldManager: at most 128 bytes, printable characters only (422 on the options kind).
    static func validateFieldManager(_ manager: String, optionsKind: String) throws {
        var errs: [FieldError] = []
        if manager.utf8.count > WriteContext.maxFieldManagerLength {
            errs.append(FieldError(kind: .tooLong, field: "fieldManager",
                                   body: "Too long: may not be more than \(WriteContext.maxFieldManagerLength) bytes"))
        }
        var offset = 0 // Go ranges over a string by byte offset
        for c in manager.unicodeScalars {
            defer { offset += String(c).utf8.count }
            guard !WriteContext.isPrintable(c) else { continue }
            let code = String(c.value, radix: 16, uppercase: true)
            errs.append(.invalid("fieldManager", .string(manager),
                                 "invalid character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) (at position \(offset))"))
        }
        guard !errs.isEmpty else { return }
        throw APIError(code: 422, reason: "Invalid",
                       message: FieldError.statusMessage(kind: optionsKind, group: "meta.k8s.io", name: "", errs),
                       details: .init(group: "meta.k8s.io", kind: optionsKind,
                                      causes: errs.map { .init(reason: $0.kind.rawValue, message: $0.body, field: $0.field) }))
    }
}
