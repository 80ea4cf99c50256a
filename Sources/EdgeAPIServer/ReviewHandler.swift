import EdgeAPI
import EdgeAuth

/// The review kinds: a body in, the same object with its status out (201),
/// nothing stored, as upstream's authorization.k8s.io and
/// authentication.k8s.io REST handlers.
enum ReviewHandler {
    static func answer(_ service: APIService, resource r: ResourceInfo, namespace: String?, body: JSON, user: UserInfo) async throws -> JSON {
        if let kind = body["kind"]?.string, kind != r.kind {
            throw APIError.badRequest("expected a \(r.kind), got \(kind)")
        }
        let name = body[path: ["metadata", "name"]]?.string ?? ""
        var spec = body["spec"] ?? [:]
        let status: JSON
        switch r.plural {
        case "selfsubjectaccessreviews":
            status = try await AccessReview.status(spec, user: user, kind: r.kind, name: name, authorizer: service.authorizer)
        case "subjectaccessreviews":
            status = try await AccessReview.status(spec, user: try AccessReview.subject(spec, kind: r.kind, name: name), kind: r.kind, name: name,
                                                   authorizer: service.authorizer)
        case "localsubjectaccessreviews":
            let ns = namespace ?? ""
            let asked = spec[path: ["resourceAttributes", "namespace"]]?.string ?? ""
            if spec["nonResourceAttributes"] != nil && spec["nonResourceAttributes"] != .null {
                throw APIError.badRequest("disallowed on this kind of request")
            }
            if asked.isEmpty, spec["resourceAttributes"]?.object != nil {
                spec[path: ["resourceAttributes", "namespace"]] = .string(ns)
            } else if asked != ns {
                throw APIError.badRequest("spec.resourceAttributes.namespace must match namespace: \(ns)")
            }
            status = try await AccessReview.status(spec, user: try AccessReview.subject(spec, kind: r.kind, name: name), kind: r.kind, name: name,
                                                   authorizer: service.authorizer)
        case "selfsubjectrulesreviews":
            status = RulesReview.status(await service.rbac.current(), user: user, namespace: spec["namespace"]?.string ?? "")
        case "selfsubjectreviews":
            status = ["userInfo": userInfo(user)]
        case "tokenreviews":
            status = await tokenReview(service, spec)
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        var meta: JSON = ["creationTimestamp": nil]
        if !name.isEmpty { meta["name"] = .string(name) }
        if let namespace, r.namespaced { meta["namespace"] = .string(namespace) }
        var out: JSON = ["kind": .string(r.kind), "apiVersion": .string(r.apiVersion), "metadata": meta, "status": status]
        if r.plural != "selfsubjectreviews" { out["spec"] = spec }
        return out
    }

    static func userInfo(_ user: UserInfo) -> JSON {
        ["username": .string(user.name), "groups": .array(user.groups.map { .string($0) })]
    }

    /// TokenReview: the token put to the server's authenticators, as if it came in a request.
    static func tokenReview(_ service: APIService, _ spec: JSON) async -> JSON {
        let token = spec["token"]?.string ?? ""
        var audiences = spec["audiences"]?.array?.compactMap(\.string) ?? []
        if audiences.isEmpty { audiences = ServiceAccountTokens.apiAudiences }
        guard !token.isEmpty else { return ["authenticated": false, "error": "token is empty", "user": [:]] }
        let request = AuthenticationRequest(headers: ["authorization": "Bearer " + token])
        for a in service.authenticators where !(a is ClientCertificateAuthenticator) {
            do {
                if let user = try await a.authenticate(request) {
                    return ["authenticated": true, "user": userInfo(user), "audiences": .array(audiences.map { .string($0) })]
                }
            } catch {
                break
            }
        }
        return ["authenticated": false, "error": "[invalid bearer token, token lookup failed]", "user": [:]]
    }
}
