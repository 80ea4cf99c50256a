/// The representations /openapi/v2 is served in, chosen from the Accept
/// header as kube-openapi's handler chooses: clauses by quality then
/// specificity, the first that names a served type wins, no header means `*/*`
/// (JSON).
enum OpenAPIV2MediaType: Equatable, Sendable {
    case json
    /// gnostic `openapi.v2.Document`.
    case protobuf

    /// What a protobuf response is labelled, whichever of the two protobuf names was asked for.
    static let protobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// Served media types in preference order for wildcards; kubectl (client-go's
    /// discovery) asks for the older `@v1.0` spelling.
    static let served: [(type: String, subtype: String, shape: OpenAPIV2MediaType)] = [
        ("application", "json", .json),
        ("application", "com.github.proto-openapi.spec.v2@v1.0+protobuf", .protobuf),
        ("application", "com.github.proto-openapi.spec.v2.v1.0+protobuf", .protobuf),
    ]

    var contentType: String { self == .json ? "application/json" : Self.protobufContentType }

    /// nil when nothing acceptable is served (the caller answers 406).
    static func negotiate(accept: String?) -> OpenAPIV2MediaType? {
        let header = accept.map { $0.trimmingCharacters(in: " ") } ?? ""
        for clause in clauses(header.isEmpty ? "*/*" : header) {
            for s in served where (clause.type == "*" || clause.type == s.type) && (clause.subtype == "*" || clause.subtype == s.subtype) {
                return s.shape
            }
        }
        return nil
    }

    struct Clause {
        var type: String
        var subtype: String
        var quality: Double
        var specificity: Int { (type == "*" ? 0 : 1) + (subtype == "*" ? 0 : 1) }
    }

    /// Accept clauses, most preferred first; `q=0` means "not acceptable" (RFC 9110) and is dropped.
    static func clauses(_ header: String) -> [Clause] {
        var out: [Clause] = []
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: " ") }
            guard let media = fields.first, !media.isEmpty else { continue }
            // "/" or "//" split to nothing: such a clause names no type and is skipped (it must not trap).
            let ts = media.lowercased().split(separator: "/", maxSplits: 1).map(String.init)
            guard let type = ts.first else { continue }
            var clause = Clause(type: type, subtype: ts.count > 1 ? ts[1] : "*", quality: 1)
            for f in fields.dropFirst() where f.lowercased().hasPrefix("q=") {
                clause.quality = Double(f.dropFirst(2)) ?? 1
            }
            if clause.quality > 0 { out.append(clause) }
        }
        // Stable: equal clauses keep the client's order.
        return out.enumerated().sorted { a, b in
            if a.element.quality != b.element.quality { return a.element.quality > b.element.quality }
            if a.element.specificity != b.element.specificity { return a.element.specificity > b.element.specificity }
            return a.offset < b.offset
        }.map(\.element)
    }
}
