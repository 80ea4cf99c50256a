import EdgeAPI

/// Upstream's impersonation filter: `Impersonate-User`, `Impersonate-Group`,
/// `Impersonate-Uid` and `Impersonate-Extra-*` headers (`kubectl --as`,
/// `--as-group`) make the request act as another user, when the caller may
/// `impersonate` each of them (users, groups, uids, userextras/KEY, or a
/// ServiceAccount for `system:serviceaccount:NS:NAME`). A refusal is 403 as
/// any authorization refusal; nothing of the request is served.
public enum Impersonation {
    static let serviceAccountPrefix = "system:serviceaccount:"

    /// The user the request acts as: `user` itself when no impersonation header is present.
    public static func resolve(_ user: UserInfo, headers: [String: String], authorizer: any Authorizer) async throws -> UserInfo {
        let name = headers["impersonate-user"]
        let groups = (headers["impersonate-group"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        let uid = headers["impersonate-uid"]
        let extras = headers.keys.filter { $0.hasPrefix("impersonate-extra-") }.sorted()
        guard name != nil || !groups.isEmpty || uid != nil || !extras.isEmpty else { return user }
        guard let name, !name.isEmpty else {
            throw APIError.badRequest("requested impersonation of groups, uid or extra fields without impersonating a user")
        }
        // The user first (a ServiceAccount is impersonated as one), then each group, uid and extra.
        var checks: [RequestInfo] = []
        if name.hasPrefix(serviceAccountPrefix) {
            let parts = name.dropFirst(serviceAccountPrefix.count).split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                checks.append(RequestInfo(verb: "impersonate", group: "", version: "v1", resource: "serviceaccounts", namespace: parts[0], name: parts[1]))
            } else {
                checks.append(impersonate("users", name))
            }
        } else {
            checks.append(impersonate("users", name))
        }
        checks += groups.map { impersonate("groups", $0) }
        if let uid { checks.append(impersonate("uids", uid)) }
        for key in extras {
            let extraKey = String(key.dropFirst("impersonate-extra-".count))
            for value in (headers[key] ?? "").split(separator: ",") {
                checks.append(RequestInfo(verb: "impersonate", group: "authentication.k8s.io", version: "v1", resource: "userextras",
                                          name: value.trimmingCharacters(in: " "), subresource: extraKey))
            }
        }
        for info in checks {
            let decision = await authorizer.authorize(user, info, path: "")
            guard decision.allowed else { throw forbidden(user, info, reason: decision.reason) }
        }
        return impersonated(name: name, groups: groups)
    }

    static func impersonate(_ resource: String, _ name: String) -> RequestInfo {
        RequestInfo(verb: "impersonate", group: resource == "userextras" ? "authentication.k8s.io" : "", version: "v1", resource: resource, name: name)
    }

    /// As upstream: a ServiceAccount gets its account groups; everyone but system:anonymous is system:authenticated.
    static func impersonated(name: String, groups: [String]) -> UserInfo {
        var all = groups
        if name.hasPrefix(serviceAccountPrefix) {
            let ns = name.dropFirst(serviceAccountPrefix.count).split(separator: ":").first.map(String.init) ?? ""
            for g in ["system:serviceaccounts", "system:serviceaccounts:" + ns] where !all.contains(g) { all.append(g) }
        }
        if name == UserInfo.anonymous.name {
            if !all.contains("system:unauthenticated") { all.append("system:unauthenticated") }
        } else if !all.contains("system:authenticated") {
            all.append("system:authenticated")
        }
        return UserInfo(name: name, groups: all)
    }

    static func forbidden(_ user: UserInfo, _ info: RequestInfo, reason: String) -> APIError {
        let qualified = info.group.isEmpty ? info.resource : "\(info.resource).\(info.group)"
        let res = info.subresource.map { "\(info.resource)/\($0)" } ?? info.resource
        var msg = "\(qualified) \"\(info.name ?? "")\" is forbidden: User \"\(user.name)\" cannot impersonate resource \"\(res)\" in API group \"\(info.group)\""
        msg += info.namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        if !reason.isEmpty { msg += ": " + reason }
        return APIError(code: 403, reason: "Forbidden", message: msg, details: .init(name: info.name, group: info.group, kind: info.resource))
    }
}
