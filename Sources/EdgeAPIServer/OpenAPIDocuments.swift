import EdgeAPI
import Synchronization

/// OpenAPI documents, rendered once and served as bytes: they are large, never
/// change while the server runs, and clients fetch them often.
public final class OpenAPIDocuments: Sendable {
    /// "api/v1" or "apis/apps/v1" → serialized document.
    let v3Docs: [String: [UInt8]]
    let v3Hashes: [String: String]
    /// The swagger 2.0 document as served to JSON clients. Only the bytes are
    /// kept: the JSON tree is several times larger and nothing reads it again.
    let v2JSON: [UInt8]
    let v2JSONTag: String
    /// The gnostic protobuf form and its ETag, encoded on first request and then
    /// kept: only kubectl's client-side validation (of a `kind: List`) asks for
    /// it, so a server that is never asked pays nothing at start-up.
    let v2ProtobufCache = Mutex<(bytes: [UInt8], tag: String)?>(nil)

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
        v2JSON = JSONSerializer.serialize(v2())
        v2JSONTag = "\"" + OpenAPIDocuments.fnv1a(v2JSON) + "\""
    }

    /// One ETag per representation (the protobuf one is marked `-pb`): a cache
    /// that ignores `Vary: Accept` must not revalidate JSON it holds against the
    /// protobuf body, or the reverse.
    func v2Protobuf() throws -> (bytes: [UInt8], tag: String) {
        try v2ProtobufCache.withLock { cached in
            if let cached { return cached }
            let bytes: [UInt8]
            do { bytes = try OpenAPIV2Protobuf.document(try JSONParser.parse(v2JSON)) } catch {
                throw APIError.internalError("the OpenAPI v2 document has no protobuf form: \(error)")
            }
            let made = (bytes: bytes, tag: "\"" + OpenAPIDocuments.fnv1a(bytes) + "-pb\"")
            cached = made
            return made
        }
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
        case .protobuf: (body, tag) = try v2Protobuf()
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
