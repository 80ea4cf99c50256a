import EdgeAPI

/// meta/v1 DeleteOptions from the request body and/or query string.
public struct DeleteOptions: Sendable {
    public var gracePeriodSeconds: Int64?
    public var propagationPolicy: String?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun = false
    /// The deprecated orphanDependents when given: false (cascade) is what makes upstream answer 202 to a delete that waits.
    public var orphanDependents: Bool?

    public init() {}

    public init(query: [String: String], body: [UInt8], contentType: String? = nil) throws {
        if !body.isEmpty {
            let j: JSON
            do {
                j = contentType?.hasPrefix("application/vnd.kubernetes.protobuf") == true
                    ? try ProtobufDecoder.decode(body) : try JSONParser.parse(body)
            } catch {
                throw APIError.badRequest("failed to decode DeleteOptions: \(error)")
            }
            guard j.object != nil else { throw APIError.badRequest("DeleteOptions must be an object") }
            // Decoded into upstream's type first: a gracePeriodSeconds past int64 (or not a number) is refused.
            try TypedSubresourceBody.check(j, kind: "DeleteOptions", version: "v1", message: "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions")
            gracePeriodSeconds = j["gracePeriodSeconds"]?.int
            propagationPolicy = j["propagationPolicy"]?.string
            preconditionUID = j[path: ["preconditions", "uid"]]?.string
            preconditionResourceVersion = j[path: ["preconditions", "resourceVersion"]]?.string
            orphanDependents = j["orphanDependents"]?.bool
            if orphanDependents == true { propagationPolicy = propagationPolicy ?? "Orphan" }
            if let d = j["dryRun"]?.array, d.contains(.string("All")) { dryRun = true }
        }
        if let g = query["gracePeriodSeconds"], !g.isEmpty {
            gracePeriodSeconds = try QueryInteger.int64(g)
        }
        if let p = query["propagationPolicy"], !p.isEmpty { propagationPolicy = p }
        if let o = query["orphanDependents"], !o.isEmpty { orphanDependents = o == "true" }
        if orphanDependents == true { propagationPolicy = propagationPolicy ?? "Orphan" }
        if query["dryRun"] == "All" { dryRun = true }
        if let p = propagationPolicy, !["Orphan", "Background", "Foreground"].contains(p) {
            throw APIError(code: 422, reason: "Invalid",
                           message: "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                           details: .init(group: "meta.k8s.io", kind: "DeleteOptions",
                                          causes: [.init(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(p)\"", field: "propagationPolicy")]))
        }
    }
}
