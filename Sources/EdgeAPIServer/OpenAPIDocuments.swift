import EdgeAPI

/// OpenAPI documents, rendered once at start-up and served as bytes: they are
/// large, never change while the server runs, and clients fetch them often.
public final class OpenAPIDocuments: Sendable {
    /// "api/v1" or "apis/apps/v1" → serialized document.
    let v3Docs: [String: [UInt8]]
    let v3Hashes: [String: String]
    let v2Doc: JSON

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
        self.v2Doc = v2()
    }

    func v3Index() -> JSON {
        var paths = JSONObject()
        for key in v3Docs.keys.sorted() {
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(v3Hashes[key]!)")]
        }
        return ["paths": .object(paths)]
    }

    func v3(path: String) -> [UInt8]? { v3Docs[path] }

    func v2() -> JSON { v2Doc }

    /// A content hash for cache-busting URLs (not security relevant).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let s = String(h, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
