import EdgeAPI

/// How the client wants objects rendered, from its Accept header.
enum ResponseShape: Equatable, Sendable {
    case object
    /// meta.k8s.io Table (kubectl get); `includeObject` is None, Metadata or Object.
    case table(includeObject: String)
    /// PartialObjectMetadata(List): metadata only.
    case metadata

    /// Reads the Accept header: the first acceptable media type wins, in order.
    static func from(accept: String?, query: [String: String]) throws -> ResponseShape {
        guard let accept, !accept.isEmpty else { return .object }
        var sawUnsupported: String?
        for part in accept.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: " ") }
            guard let media = fields.first else { continue }
            var params: [String: String] = [:]
            for f in fields.dropFirst() {
                let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { params[kv[0]] = kv[1] }
            }
            guard media == "application/json" || media == "*/*" || media == "application/*" else {
                sawUnsupported = media
                continue
            }
            switch params["as"] {
            case nil: return .object
            case "Table" where params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1"):
                return .table(includeObject: query["includeObject"] ?? "Metadata")
            case "PartialObjectMetadata", "PartialObjectMetadataList":
                if params["g"] == "meta.k8s.io" { return .metadata }
            default: continue
            }
        }
        throw APIError(code: 406, reason: "NotAcceptable",
                       message: "only the following media types are accepted: application/json"
                           + (sawUnsupported.map { " (got \($0))" } ?? ""))
    }
}
