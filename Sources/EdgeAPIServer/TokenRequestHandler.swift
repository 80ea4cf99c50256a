import EdgeAPI
import EdgeAuth
import EdgeRegistry

/// serviceaccounts/token: a TokenRequest in, the same with status.token out,
/// validated and defaulted as upstream (1 hour by default, at least 10 minutes,
/// bound to a pod or secret of the same namespace when asked).
enum TokenRequestHandler {
    static let minSeconds: Int64 = 600
    static let maxSeconds: Int64 = 1 << 32

    static func issue(_ tokens: ServiceAccountTokens, store: ObjectStore, namespace: String, name: String, request: JSON) async throws -> JSON {
        if let kind = request["kind"]?.string, kind != "TokenRequest" {
            throw APIError.badRequest("expected a TokenRequest, got \(kind)")
        }
        let sa = try await store.get(BuiltinResources.serviceAccounts, namespace: namespace, name: name)
        let uid = sa[path: ["metadata", "uid"]]?.string ?? ""
        var spec = request["spec"] ?? [:]
        let seconds = spec["expirationSeconds"]?.int ?? 3600
        func invalid(_ field: String, _ value: String, _ why: String) -> APIError {
            APIError(code: 422, reason: "Invalid", message: "TokenRequest.authentication.k8s.io \"\(name)\" is invalid: \(field): Invalid value: \(value): \(why)",
                     details: .init(name: name, group: "authentication.k8s.io", kind: "TokenRequest",
                                    causes: [.init(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(why)", field: field)]))
        }
        if seconds < minSeconds { throw invalid("spec.expirationSeconds", "\(seconds)", "may not specify a duration less than 10 minutes") }
        if seconds > maxSeconds { throw invalid("spec.expirationSeconds", "\(seconds)", "may not specify a duration larger than 2^32 seconds") }
        var audiences = spec["audiences"]?.array?.compactMap(\.string) ?? []
        if audiences.isEmpty { audiences = ServiceAccountTokens.apiAudiences }
        var binding: ServiceAccountTokens.Binding?
        if let ref = spec["boundObjectRef"], ref.object?.isEmpty == false {
            let kind = ref["kind"]?.string ?? ""
            let resource: ResourceInfo
            switch kind {
            case "Pod": resource = BuiltinResources.pods
            case "Secret": resource = BuiltinResources.secrets
            default: throw invalid("spec.boundObjectRef.kind", "\"\(kind)\"", "supported values: \"Pod\", \"Secret\"")
            }
            let target = ref["name"]?.string ?? ""
            let obj = try await store.get(resource, namespace: namespace, name: target)
            let actual = obj[path: ["metadata", "uid"]]?.string ?? ""
            if let want = ref["uid"]?.string, !want.isEmpty, want != actual {
                throw APIError.conflict(resource, target, "the UID in the bound object reference (\(want)) does not match the \(kind.lowercased())'s UID (\(actual))")
            }
            // As upstream: a token bound to a pod speaks for the account that pod runs as, no other.
            if kind == "Pod", obj[path: ["spec", "serviceAccountName"]]?.string != name {
                throw APIError.badRequest("cannot bind token for serviceaccount \"\(name)\" to pod running with different serviceaccount name.")
            }
            binding = .init(kind: kind, name: target, uid: actual)
            spec[path: ["boundObjectRef", "uid"]] = .string(actual)
        }
        let now = Timestamp.now()
        let token = try tokens.issue(namespace: namespace, name: name, uid: uid, audiences: audiences, seconds: seconds, now: now, boundTo: binding)
        spec["audiences"] = .array(audiences.map { .string($0) })
        spec["expirationSeconds"] = .int(seconds)
        return ["kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(now.rfc3339)],
                "spec": spec, "status": ["token": .string(token), "expirationTimestamp": .string(now.adding(seconds: seconds).rfc3339)]]
    }
}
