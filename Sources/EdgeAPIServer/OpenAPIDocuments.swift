import EdgeAPI
import EdgeRegistry
import Synchronization

/// OpenAPI documents, rendered once per catalog version and served as bytes:
/// they are large, change only when the catalog does (a custom resource comes
/// or goes), and clients fetch them often.
public final class OpenAPIDocuments: Sendable {
    /// One rendering of every document.
    struct Rendered: Sendable {
        var catalogVersion: UInt64
        /// "api/v1" or "apis/apps/v1" → serialized document.
        var v3Docs: [String: [UInt8]]
        var v3Hashes: [String: String]
        /// The swagger 2.0 document as served to JSON clients. Only the bytes are
        /// kept: the JSON tree is several times larger and nothing reads it again.
        var v2JSON: [UInt8]
        var v2JSONTag: String
    }

    private let catalog: ResourceCatalog?
    private let render: @Sendable (CatalogSnapshot) -> Rendered
    private let rendered: Mutex<Rendered>
    /// The gnostic protobuf form and its ETag, encoded on first request and then
    /// kept (per rendering): only kubectl's client-side validation (of a `kind: List`)
    /// asks for it, so a server that is never asked pays nothing at start-up.
    let v2ProtobufCache = Mutex<(version: UInt64, bytes: [UInt8], tag: String)?>(nil)

    /// Documents of the catalog's resources, rebuilt when its version changes.
    public convenience init(catalog: ResourceCatalog, title: String = "Kubernetes", version: String) {
        let info: JSON = ["title": .string(title), "version": .string(version)]
        self.init(catalog: catalog) { snapshot in
            Self.render(snapshot, v3: { g, v in OpenAPIBuilder.v3(group: g, version: v, snapshot, info: info) },
                        v2: { OpenAPIBuilder.v2(snapshot, info: info) })
        }
    }

    /// Fixed documents (tests): `v3` renders the document of one group version of the
    /// built-in resources; `v2` the swagger 2.0 document.
    public convenience init(v3: (_ group: String, _ version: String) -> JSON, v2: () -> JSON) {
        let fixed = Self.render(ResourceCatalog(BuiltinResources.all.map(PlaceholderStrategy.init)).snapshot, v3: v3, v2: v2)
        self.init(catalog: nil) { _ in fixed }
    }

    init(catalog: ResourceCatalog?, render: @escaping @Sendable (CatalogSnapshot) -> Rendered) {
        self.catalog = catalog
        self.render = render
        let snapshot = catalog?.snapshot ?? ResourceCatalog().snapshot
        rendered = Mutex(render(snapshot))
    }

    static func render(_ snapshot: CatalogSnapshot, v3: (String, String) -> JSON, v2: () -> JSON) -> Rendered {
        var docs: [String: [UInt8]] = [:]
        var hashes: [String: String] = [:]
        for (g, v) in snapshot.groupVersions {
            let key = g.isEmpty ? "api/\(v)" : "apis/\(g)/\(v)"
            let bytes = JSONSerializer.serialize(v3(g, v))
            docs[key] = bytes
            hashes[key] = fnv1a(bytes)
        }
        let v2JSON = JSONSerializer.serialize(v2())
        return Rendered(catalogVersion: snapshot.version, v3Docs: docs, v3Hashes: hashes, v2JSON: v2JSON,
                        v2JSONTag: "\"" + fnv1a(v2JSON) + "\"")
    }

    /// The documents of the catalog as it is now (rendered again if it changed since).
    var current: Rendered {
        rendered.withLock { r in
            if let catalog, catalog.version != r.catalogVersion { r = render(catalog.snapshot) }
            return r
        }
    }

    /// One ETag per representation (the protobuf one is marked `-pb`): a cache
    /// that ignores `Vary: Accept` must not revalidate JSON it holds against the
    /// protobuf body, or the reverse.
    func v2Protobuf(_ docs: Rendered) throws -> (bytes: [UInt8], tag: String) {
        try v2ProtobufCache.withLock { cached in
            if let cached, cached.version == docs.catalogVersion { return (cached.bytes, cached.tag) }
            let bytes: [UInt8]
            do { bytes = try OpenAPIV2Protobuf.document(try JSONParser.parse(docs.v2JSON)) } catch {
                throw APIError.internalError("the OpenAPI v2 document has no protobuf form: \(error)")
            }
            let tag = "\"" + OpenAPIDocuments.fnv1a(bytes) + "-pb\""
            cached = (docs.catalogVersion, bytes, tag)
            return (bytes, tag)
        }
    }

    func v3Index() -> JSON {
        let docs = current
        var paths = JSONObject()
        for key in docs.v3Docs.keys.sorted() {
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(docs.v3Hashes[key] ?? "")")]
        }
        return ["paths": .object(paths)]
    }

    func v3(path: String) -> [UInt8]? { current.v3Docs[path] }

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
        let docs = current
        switch shape {
        case .json: (body, tag) = (docs.v2JSON, docs.v2JSONTag)
        case .protobuf: (body, tag) = try v2Protobuf(docs)
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
