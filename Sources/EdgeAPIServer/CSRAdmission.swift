import EdgeAPI
import EdgeTLS

/// What the API server itself does to a CertificateSigningRequest on create,
/// as upstream's strategy: the requester's identity is recorded from the
/// authenticated user (never from the body), and the request must be a PEM
/// certificate request that parses and names a signer.
enum CSRAdmission {
    static let knownUsages: Set<String> = ["signing", "digital signature", "content commitment", "key encipherment", "key agreement",
                                           "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
                                           "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
                                           "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"]

    static func prepare(_ body: JSON, user: UserInfo, _ r: ResourceInfo) throws -> JSON {
        var obj = body
        let name = obj[path: ["metadata", "name"]]?.string ?? obj[path: ["metadata", "generateName"]]?.string ?? ""
        obj[path: ["spec", "username"]] = .string(user.name)
        obj[path: ["spec", "groups"]] = .array(user.groups.map { .string($0) })
        obj[path: ["spec", "uid"]] = nil
        obj[path: ["spec", "extra"]] = nil
        var causes: [APIError.Cause] = []
        let request = obj[path: ["spec", "request"]]?.string ?? ""
        if request.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.request"))
        } else if let bytes = Base64.decode(request), case let pem = String(decoding: bytes, as: UTF8.self),
                  pem.contains("-----BEGIN CERTIFICATE REQUEST-----") {
            do { _ = try PKI.inspectCSR(pem) } catch {
                causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"<request>\": \(error)", field: "spec.request"))
            }
        } else {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"<request>\": PEM block type must be CERTIFICATE REQUEST",
                                field: "spec.request"))
        }
        let signer = obj[path: ["spec", "signerName"]]?.string ?? ""
        if signer.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.signerName"))
        } else if !signer.contains("/") {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(signer)\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
                                field: "spec.signerName"))
        }
        let usages = obj[path: ["spec", "usages"]]?.array?.compactMap(\.string) ?? []
        if usages.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.usages"))
        }
        for (i, u) in usages.enumerated() where !knownUsages.contains(u) {
            causes.append(.init(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(u)\"", field: "spec.usages[\(i)]"))
        }
        if let s = obj[path: ["spec", "expirationSeconds"]]?.int, s < 600 {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(s): may not specify a duration less than 600 seconds (10 minutes)",
                                field: "spec.expirationSeconds"))
        }
        if !causes.isEmpty {
            let each = causes.map { "\($0.field): \($0.message)" }
            let list = each.count == 1 ? each[0] : "[" + each.joined(separator: ", ") + "]"
            throw APIError.invalid(r, name, message: "CertificateSigningRequest.certificates.k8s.io \"\(name)\" is invalid: \(list)", causes: causes)
        }
        return obj
    }
}
