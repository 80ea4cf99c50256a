import EdgeAPI
import EdgeTLS

/// certificates.k8s.io/v1 CertificateSigningRequests, as upstream's strategy:
/// the requester's identity is recorded from the authenticated user (never
/// from the body), the request must be a PEM certificate request that parses
/// and names a signer, and approval is its own subresource.
public struct CertificateSigningRequestStrategy: ResourceStrategy {
    public let resource = BuiltinResources.certificateSigningRequests
    public init() {}

    static let knownUsages: Set<String> = ["signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                                           "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                                           "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
                                           "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"]

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        obj["status"] = .object(JSONObject())
        obj[path: ["spec", "username"]] = .string(ctx.user.name)
        obj[path: ["spec", "groups"]] = .array(ctx.user.groups.map { .string($0) })
        obj[path: ["spec", "uid"]] = nil
        obj[path: ["spec", "extra"]] = nil
    }

    public func prepareForUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext) {
        guard ctx.subresource == "approval" else {
            return StatusSplit.apply(&new, old: old, subresource: ctx.subresource, hasStatus: true)
        }
        // Approval changes the conditions and nothing else.
        var out = old
        out[path: ["status", "conditions"]] = new[path: ["status", "conditions"]]
        out[path: ["metadata", "resourceVersion"]] = new[path: ["metadata", "resourceVersion"]]
        new = out
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] {
        var errs: [FieldError] = []
        let request = obj[path: ["spec", "request"]]?.string ?? ""
        if request.isEmpty {
            errs.append(.required("spec.request"))
        } else if let bytes = Base64.decode(request), case let pem = String(decoding: bytes, as: UTF8.self),
                  pem.contains("-----BEGIN CERTIFICATE REQUEST-----") {
            do { _ = try PKI.inspectCSR(pem) } catch {
                errs.append(.invalid("spec.request", .string("<request>"), "\(error)"))
            }
        } else {
            errs.append(.invalid("spec.request", .string("<request>"), "PEM block type must be CERTIFICATE REQUEST"))
        }
        let signer = obj[path: ["spec", "signerName"]]?.string ?? ""
        if signer.isEmpty {
            errs.append(.required("spec.signerName"))
        } else if !signer.contains("/") {
            errs.append(.invalid("spec.signerName", .string(signer), "must be a fully qualified domain and path of the form 'example.com/signer-name'"))
        }
        let usages = obj[path: ["spec", "usages"]]?.array?.compactMap(\.string) ?? []
        if usages.isEmpty { errs.append(.required("spec.usages")) }
        for (i, u) in usages.enumerated() where !Self.knownUsages.contains(u) {
            errs.append(FieldError(kind: .notSupported, field: "spec.usages[\(i)]", body: "Unsupported value: \"\(u)\""))
        }
        if let s = obj[path: ["spec", "expirationSeconds"]]?.int, s < 600 {
            errs.append(.invalid("spec.expirationSeconds", .int(s), "may not specify a duration less than 600 seconds (10 minutes)"))
        }
        return errs
    }

    /// What was checked on create stays checked: an update may change only metadata and status.
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { [] }

    public var tableColumns: [TableColumn] { TableColumns.certificateSigningRequests }
    public var selectableFields: [String] { ["spec.signerName"] }
}
