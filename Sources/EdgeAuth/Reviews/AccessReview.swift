import EdgeAPI

/// authorization.k8s.io/v1 SubjectAccessReview, LocalSubjectAccessReview and
/// SelfSubjectAccessReview: the spec's attributes put to the authorizer chain
/// for the named (or requesting) user, answered in status as upstream
/// (`allowed`, `denied` when an authorizer said no, `reason`).
public enum AccessReview {
    /// Builds the request the review asks about; throws upstream's 422 when the spec names
    /// neither (or both) resource and non-resource attributes.
    public static func attributes(_ spec: JSON, kind: String, name: String) throws -> (info: RequestInfo?, path: String, verb: String) {
        let resource = spec["resourceAttributes"].flatMap { $0.object == nil ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0.object == nil ? nil : $0 }
        if (resource == nil) == (nonResource == nil) {
            throw invalid(kind, name, field: "spec.resourceAttributes", value: "null",
                          "exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        if let r = resource {
            func s(_ k: String) -> String { r[k]?.string ?? "" }
            let info = RequestInfo(verb: s("verb"), group: s("group"), version: s("version"), resource: s("resource"),
                                   namespace: s("namespace").isEmpty ? nil : s("namespace"), name: s("name").isEmpty ? nil : s("name"),
                                   subresource: s("subresource").isEmpty ? nil : s("subresource"))
            return (info, "", info.verb)
        }
        return (nil, nonResource?["path"]?.string ?? "", nonResource?["verb"]?.string ?? "")
    }

    /// The status of a review of `user` doing what `spec` describes.
    public static func status(_ spec: JSON, user: UserInfo, kind: String, name: String, authorizer: any Authorizer) async throws -> JSON {
        let (info, path, _) = try attributes(spec, kind: kind, name: name)
        let decision = await authorizer.authorize(user, info, path: path)
        var status: JSON = ["allowed": .bool(decision.allowed)]
        if decision.verdict == .deny { status["denied"] = true }
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        return status
    }

    /// The user a SubjectAccessReview names (`spec.user`, `spec.groups`); 422 when it names none.
    public static func subject(_ spec: JSON, kind: String, name: String) throws -> UserInfo {
        let user = spec["user"]?.string ?? ""
        let groups = spec["groups"]?.array?.compactMap(\.string) ?? []
        if user.isEmpty && groups.isEmpty {
            throw invalid(kind, name, field: "spec.user", value: "\"\"", "at least one of user or group must be specified")
        }
        return UserInfo(name: user, groups: groups)
    }

    static func invalid(_ kind: String, _ name: String, field: String, value: String, _ why: String) -> APIError {
        APIError(code: 422, reason: "Invalid",
                 message: "\(kind).authorization.k8s.io \"\(name)\" is invalid: \(field): Invalid value: \(value): \(why)",
                 details: .init(name: name, group: "authorization.k8s.io", kind: kind,
                                causes: [.init(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(why)", field: field)]))
    }
}
