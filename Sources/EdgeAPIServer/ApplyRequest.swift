import EdgeAPI

/// The request side of server-side apply: PatchOptions as upstream checks
/// them (422 on `PatchOptions.meta.k8s.io`), and the body, YAML or JSON.
enum ApplyRequest {
    static let contentType = "application/apply-patch+yaml"

    /// `force` for an apply; a required fieldManager (kubectl defaults it, controllers must set it).
    static func checkOptions(_ query: [String: String]) throws -> Bool {
        let force = try parseForce(query)
        if (query["fieldManager"] ?? "").isEmpty {
            throw invalidOptions(FieldError(kind: .required, field: "fieldManager", body: "Required value: is required for apply patch"))
        }
        return force ?? false
    }

    /// `force` belongs to apply only.
    static func refuseForce(_ query: [String: String]) throws {
        if query["force"] != nil {
            throw invalidOptions(FieldError(kind: .forbidden, field: "force", body: "Forbidden: may not be specified for non-apply patch"))
        }
    }

    static func parseForce(_ query: [String: String]) throws -> Bool? {
        guard let v = query["force"] else { return nil }
        switch v {
        case "", "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw APIError.badRequest("force: invalid value \"\(v)\": strconv.ParseBool: parsing \"\(v)\": invalid syntax")
        }
    }

    static func invalidOptions(_ e: FieldError) -> APIError {
        APIError(code: 422, reason: "Invalid",
                 message: FieldError.statusMessage(kind: "PatchOptions", group: "meta.k8s.io", name: "", [e]),
                 details: .init(group: "meta.k8s.io", kind: "PatchOptions", causes: [.init(reason: e.kind.rawValue, message: e.body, field: e.field)]))
    }

    /// JSON (what kubectl and the client libraries send) or YAML; 400 as upstream's YAML decoder when neither.
    static func parseBody(_ body: [UInt8]) throws -> JSON {
        if let json = try? JSONParser.parse(body) { return json }
        do {
            return try YAMLParser.parse(String(decoding: body, as: UTF8.self))
        } catch {
            throw APIError.badRequest("error decoding YAML: \(error)")
        }
    }
}
