import EdgeAPI

/// OpenAPI documents, rendered once at start-up and served as bytes: they are
/// large, never change while the server runs, and clients fetch them often.
public final class OpenAPIDocuments: Sendable {
    /// "api/v1" or "apis/apps/v1" → serialized document.
    let v3Docs: [String: [UInt8]]
    let v3Hashes: [String: String]
    /// The swagger 2.0 document in both forms it is served in. Only the bytes are
    /// kept: the JSON tree is several times larger and nothing reads it again.
    let v2JSON: [UInt8]
    /// nil when the document holds something the protobuf encoder cannot map
    /// (a unit test keeps that from shipping); JSON is still served then.
    let v2Protobuf: [UInt8]?
    let v2ProtobufError: String?
    let v2JSONTag: String
    let v2ProtobufTag: String

    /// `v3` renders the document of one group version; `v2` the swagger 2.0 document.
    public init(v3: (_ group: String, _ version: String) -> JSON, v2: () -> JSON) {
        var docs: [String: [UInt8]] = [:]
        var hashes: [String: String] = [:]
        for (g, v) in ResourceRegistry.groupVersions {
            let key = g.isEmpty ? "api/\(v)" : "apis/\(g)/\(v)"
            let bytes = JSONSerializer.serialize(v3(g, v))
            docs[key] = bytes
            hashes[key] = OpenAPIDocuments.fnv1a(bytes)
        }
        self.v3Docs = docs
        self.v3Hashes = hashes
        let doc = v2()
        v2JSON = JSONSerializer.serialize(doc)
        do {
            v2Protobuf = try OpenAPIV2Protobuf.document(doc)
            v2ProtobufError = nil
        } catch {
            v2Protobuf = nil
            v2ProtobufError = error.description
        }
        // One tag per representation: a cache that ignores `Vary: Accept` must not
        // revalidate JSON it holds against the protobuf body, or the reverse.
        v2JSONTag = "\"" + OpenAPIDocuments.fnv1a(v2JSON) + "\""
        v2ProtobufTag = "\"" + OpenAPIDocuments.fnv1a(v2Protobuf ?? []) + "-pb\""
    }

    func v3Index() -> JSON {
        var paths = JSONObject()
        for key in v3Docs.keys.sorted() {
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(v3Hashes[key]!)")]
        }
        return ["paths": .object(paths)]
    }

    func v3(path: String) -> [UInt8]? { v3Docs[path] }

    /// GET /openapi/v2: JSON or gnostic protobuf by the Accept header, 304 when
    /// If-None-Match names the current ETag (kubectl's HTTP cache revalidates so).
    func v2(accept: String?, ifNoneMatch: String?) throws -> HTTPResponse {
        guard let shape = OpenAPIV2MediaType.negotiate(accept: accept) else {
            throw APIError(code: 406, reason: "NotAcceptable",
                           message: "only the following media types are accepted for /openapi/v2: application/json, "
                               + OpenAPIV2MediaType.protobufContentType + " (got \(accept ?? ""))")
        }
        let body: [UInt8]
        let tag: String
        switch shape {
        case .json: (body, tag) = (v2JSON, v2JSONTag)
        case .protobuf:
            guard let pb = v2Protobuf else {
                throw APIError.internalError("the OpenAPI v2 document has no protobuf form: \(v2ProtobufError ?? "")")
            }
            (body, tag) = (pb, v2ProtobufTag)
        }
        let headers = [("Content-Type", shape.contentType), ("ETag", tag), ("Vary", "Accept")]
        if let ifNoneMatch, Self.matches(ifNoneMatch, tag) {
            return HTTPResponse(status: 304, headers: Array(headers.dropFirst()))
        }
        return HTTPResponse(status: 200, headers: headers, body: .bytes(body))
    }

    /// If-None-Match: `*` or a list of tags, compared weakly (a `W/` prefix is ignored), as RFC 9110 says for GET.
    static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { part in
            var t = part.trimmingCharacters(in: " ")
            if t == "*" { return true }
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t == tag
        }
    }

    /// A content hash for cache-busting URLs (not security relevant).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let s = String(h, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
