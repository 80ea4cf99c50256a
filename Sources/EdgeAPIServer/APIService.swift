import EdgeAPI
import EdgeAuth
import EdgeRegistry
import EdgeStore

/// The Kubernetes REST API over an ObjectStore, independent of transport:
/// `handle` takes a whole request and returns a whole (or streamed) response.
public final class APIService: Sendable {
    public let store: ObjectStore
    let authenticators: [any Authenticator]
    let authorizer: any Authorizer
    /// The RBAC objects the authorizer reads, for rules reviews (`kubectl auth can-i --list`).
    public let rbac: RBACPolicyCache
    let openAPI: OpenAPIDocuments
    let serverAddress: String
    /// Issues tokens for serviceaccounts/token; nil where no signing key is configured.
    let serviceAccountTokens: ServiceAccountTokens?
    /// Reaches node agents for pods/log and pods/exec; nil: those answer 503.
    let nodeProxy: NodeProxy?
    /// edgectl's own endpoints outside the Kubernetes API (the server bootstrap servers join with): each
    /// authenticates its callers itself.
    let ownPaths: [String: @Sendable (HTTPRequest) async -> HTTPResponse]
    let discovery = DiscoveryCache()
    /// The audit log, when configured; nil costs nothing per request.
    let auditor: Auditor?
    /// The version kubectl compares itself with (it warns beyond one minor of skew).
    public static let kubernetesVersion = (major: "1", minor: "37", git: "v1.37.0+edgectl")
    public static let maxBodyBytes = 3 * 1024 * 1024

    /// `authorizer` defaults to the standard chain (privileged groups, Node, RBAC); what nodes
    /// are allowed is narrowed per object by the NodeRestriction admission step in the store's chain.
    public init(store: ObjectStore, authenticators: [any Authenticator], authorizer: (any Authorizer)? = nil,
                openAPI: OpenAPIDocuments, serverAddress: String, serviceAccountTokens: ServiceAccountTokens? = nil,
                nodeProxy: NodeProxy? = nil, rbac: RBACPolicyCache? = nil,
                ownPaths: [String: @Sendable (HTTPRequest) async -> HTTPResponse] = [:], auditor: Auditor? = nil) {
        self.ownPaths = ownPaths
        self.auditor = auditor
        let rbac = rbac ?? RBACPolicyCache(backend: store.backend)
        self.rbac = rbac
        self.serviceAccountTokens = serviceAccountTokens
        self.nodeProxy = nodeProxy
        self.store = store
        self.authenticators = authenticators
        self.authorizer = authorizer ?? AuthorizerChain.standard(store: store, rbac: rbac)
        self.openAPI = openAPI
        self.serverAddress = serverAddress
    }

    public func handle(_ req: HTTPRequest) async -> HTTPResponse {
        let audit = auditor.map { RequestAudit($0, req) }
        let resp: HTTPResponse
        do {
            if let audit {
                resp = try await AuditAnnotations.$current.withValue(audit.annotations) { try await route(req, audit: audit) }
            } else {
                resp = try await route(req)
            }
        } catch let e as APIError {
            resp = .error(e)
        } catch StoreError.noSpace {
            resp = .error(Self.storeFull)
        } catch let e as StoreError {
            resp = .error(e.apiError)
        } catch {
            resp = .error(.internalError("\(error)"))
        }
        return audit?.finish(resp) ?? resp
    }

    /// Upstream's answer when its blocking audit backend could not store the RequestReceived event.
    static let auditStoreFailed = APIError.internalError("failed to store audit event")

    /// The caller, and the user the request acts as: authentication, then the audit record begins
    /// (so the policy sees the real caller, as upstream's filter order has it), then impersonation.
    func identify(_ req: HTTPRequest, path: String, info: RequestInfo?, audit: RequestAudit?) async throws -> UserInfo {
        let caller: UserInfo
        do {
            caller = try await authenticate(req, path: path)
        } catch {
            audit?.failedAuthentication(info: info, path: path)
            throw error
        }
        if let audit, !audit.begin(user: caller, info: info, path: path) { throw Self.auditStoreFailed }
        let user = try await Impersonation.resolve(caller, headers: req.headers, authorizer: authorizer)
        if user != caller { audit?.impersonated(user) }
        return user
    }

    /// As kube-apiserver answers etcd's "mvcc: database space exceeded": 500 with the store's words and no
    /// reason, plus what to do (the server log has SQLite's details). Deletes still go through (a tombstone is
    /// a few bytes), as under etcd's NOSPACE alarm.
    static let storeFull = APIError(code: 500, reason: "",
                                    message: "edgectl store: database space exceeded (the server's data disk is full): free disk space or delete objects; deletes are still accepted")

    static let publicPaths: Set<String> = ["/healthz", "/livez", "/readyz", "/version", "/healthz/ping", "/livez/ping", "/readyz/ping"]

    func route(_ req: HTTPRequest, audit: RequestAudit? = nil) async throws -> HTTPResponse {
        let path = req.path.count > 1 && req.path.hasSuffix("/") ? String(req.path.dropLast()) : req.path
        if Self.publicPaths.contains(path) {
            // Open to all; audited (as upstream's anonymous or named caller) only when a policy asks.
            if let audit {
                let caller = (try? await authenticate(req, path: path)) ?? UserInfo.anonymous
                if !audit.begin(user: caller, info: nil, path: path) { throw Self.auditStoreFailed }
            }
            if path == "/version" { return .json(200, versionInfo()) }
            return .text(200, "ok")
        }
        if let own = ownPaths[path] { return await own(req) }
        let info = RequestInfo.parse(method: req.method, path: path, query: req.query)
        let user = try await identify(req, path: path, info: info, audit: audit)
        let decision = await authorizer.authorize(user, info, path: path)
        audit?.authorized(decision)
        guard decision.allowed else { throw forbidden(user, info, path: path, method: req.method, reason: decision.reason) }
        if let info, info.group == "", info.resource == "pods", info.subresource == "log", let ns = info.namespace, let name = info.name {
            guard req.method == "GET" else { throw APIError.methodNotAllowed("the server does not allow this method on the requested resource") }
            try PodLogOptions.validate(req.queryItems, pod: name)
            return try await agentProxy().logs(store, namespace: ns, pod: name, query: req.queryItems)
        }
        if let info, info.group == "", info.resource == "pods", info.subresource == "exec" {
            throw APIError.badRequest("Upgrade request required: pods/exec is served over WebSocket (v5.channel.k8s.io)")
        }
        if let info, info.group == "", info.resource == "pods", info.subresource == "portforward" {
            throw APIError.badRequest("Upgrade request required: pods/portforward is served over SPDY/3.1 or WebSocket (SPDY/3.1+portforward.k8s.io)")
        }
        if let info {
            guard let strategy = store.catalog.strategy(group: info.group, version: info.version, plural: info.resource) else {
                // A resource this server does not serve: 404 whatever the verb, as upstream (discovery documents aside).
                if req.method == "GET" || req.method == "HEAD" { return try nonResource(req, path: path) }
                throw APIError.pathNotFound()
            }
            return try await ResourceHandler(service: self, request: req, info: info, user: user, strategy: strategy).serve()
        }
        return try nonResource(req, path: path)
    }

    func agentProxy() throws -> NodeProxy {
        guard let nodeProxy else {
            throw APIError(code: 503, reason: "ServiceUnavailable", message: "this API server has no connection to node agents configured")
        }
        return nodeProxy
    }

    /// An upgrade request (`kubectl exec` over WebSocket): authenticated and
    /// authorised as any request, then tunnelled to the pod's node agent.
    public func upgrade(_ req: HTTPRequest) async -> UpgradeOutcome {
        let audit = auditor.map { RequestAudit($0, req) }
        let outcome = await upgradeAudited(req, audit: audit)
        guard let audit else { return outcome }
        switch outcome {
        case .response(let resp): return .response(audit.finish(resp))
        case .tunnel:
            // The session is the client's from here: recorded as started (101) and complete, as far as the server sees it.
            audit.finishTunnel()
            return outcome
        }
    }

    func upgradeAudited(_ req: HTTPRequest, audit: RequestAudit?) async -> UpgradeOutcome {
        do {
            let path = req.path.count > 1 && req.path.hasSuffix("/") ? String(req.path.dropLast()) : req.path
            let info = RequestInfo.parse(method: req.method, path: path, query: req.query)
            let user = try await identify(req, path: path, info: info, audit: audit)
            let decision = await authorizer.authorize(user, info, path: path)
            audit?.authorized(decision)
            guard decision.allowed else { throw forbidden(user, info, path: path, method: req.method, reason: decision.reason) }
            guard let info, info.group == "", info.resource == "pods", let ns = info.namespace, let name = info.name,
                  info.subresource == "exec" || info.subresource == "portforward" else {
                throw APIError.badRequest("only pods/exec and pods/portforward can be upgraded on this server")
            }
            if info.subresource == "portforward" { return try await agentProxy().portForward(store, namespace: ns, pod: name, request: req) }
            return try await agentProxy().exec(store, namespace: ns, pod: name, request: req)
        } catch let e as APIError {
            return .response(.error(e))
        } catch {
            return .response(.error(.internalError("\(error)")))
        }
    }

    /// Where a caller with no credentials at all may read: the cluster-info
    /// ConfigMap a joining machine checks against its --ca-cert-hash.
    static let anonymousPaths: Set<String> = ["/api/v1/namespaces/kube-public/configmaps/cluster-info"]

    func authenticate(_ req: HTTPRequest, path: String = "") async throws -> UserInfo {
        let credentials = AuthenticationRequest(headers: req.headers, clientCertificate: req.clientCertificate)
        for a in authenticators {
            if let u = try await a.authenticate(credentials) { return u }
        }
        if req.method == "GET", Self.anonymousPaths.contains(path), req.headers["authorization"] == nil, req.clientCertificate == nil {
            return UserInfo.anonymous
        }
        throw APIError.unauthorized
    }

    /// Upstream's refusal: who cannot do what, then the authorizers' reason when they gave one.
    func forbidden(_ user: UserInfo, _ info: RequestInfo?, path: String, method: String = "GET", reason: String = "") -> APIError {
        let why = reason.isEmpty ? "" : ": " + reason
        guard let info else {
            // Upstream's non-resource verb is the method, lower-cased; its details are empty.
            return APIError(code: 403, reason: "Forbidden",
                            message: "forbidden: User \"\(user.name)\" cannot \(method.lowercased()) path \"\(path)\"" + why, details: .init())
        }
        let res = info.subresource.map { "\(info.resource)/\($0)" } ?? info.resource
        // As upstream's GroupResource: "leases.coordination.k8s.io", "pods".
        let qualified = info.group.isEmpty ? info.resource : "\(info.resource).\(info.group)"
        let target = info.name.map { "\(qualified) \"\($0)\"" } ?? qualified
        var msg = "\(target) is forbidden: User \"\(user.name)\" cannot \(info.verb) resource \"\(res)\" in API group \"\(info.group)\""
        if let ns = info.namespace { msg += " in the namespace \"\(ns)\"" } else { msg += " at the cluster scope" }
        msg += why
        return APIError(code: 403, reason: "Forbidden", message: msg,
                        details: .init(name: info.name, group: info.group, kind: info.resource))
    }

    func versionInfo() -> JSON {
        #if arch(arm64)
        let arch = "arm64"
        #elseif arch(arm)
        let arch = "arm"
        #else
        let arch = "amd64"
        #endif
        return ["major": .string(Self.kubernetesVersion.major), "minor": .string(Self.kubernetesVersion.minor),
                "emulationMajor": .string(Self.kubernetesVersion.major), "emulationMinor": .string(Self.kubernetesVersion.minor),
                "gitVersion": .string(Self.kubernetesVersion.git), "gitCommit": "", "gitTreeState": "clean",
                "buildDate": "", "goVersion": "swift", "compiler": "swiftc", "platform": .string("linux/\(arch)")]
    }

    /// Discovery documents served at these paths; other methods on them are 405, anything else 404.
    static let discoveryRoots: Set<String> = ["/api", "/apis", "/openapi/v2", "/openapi/v3"]

    func nonResource(_ req: HTTPRequest, path: String) throws -> HTTPResponse {
        guard req.method == "GET" || req.method == "HEAD" else {
            if Self.discoveryRoots.contains(path) {
                throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
            }
            throw APIError.pathNotFound()
        }
        let aggregated = (req.headers["accept"] ?? "").contains("as=APIGroupDiscoveryList")
        let catalog = store.catalog.snapshot
        func cached(_ key: String, _ make: (CatalogSnapshot) -> JSON?) -> HTTPResponse? {
            discovery.document(key, catalog, make).map { HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .bytes($0)) }
        }
        switch path {
        case "/api":
            if aggregated { return aggregatedResponse(core: true, catalog) }
            return .json(200, Discovery.apiVersions(serverAddress: serverAddress))
        case "/apis":
            if aggregated { return aggregatedResponse(core: false, catalog) }
            if let r = cached("apis", { Discovery.groupList($0) }) { return r }
        case "/openapi/v3":
            return .json(200, openAPI.v3Index())
        case "/openapi/v2":
            return try openAPI.v2(accept: req.headers["accept"], ifNoneMatch: req.headers["if-none-match"])
        default: break
        }
        if path.hasPrefix("/openapi/v3/"), let doc = openAPI.v3(path: String(path.dropFirst("/openapi/v3/".count))) {
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "public, immutable")],
                                body: .bytes(doc))
        }
        let parts = path.split(separator: "/").map(String.init)
        if parts.count == 2, parts[0] == "api",
           let r = cached(path, { Discovery.resourceList(group: "", version: parts[1], $0) }) { return r }
        if parts.count == 2, parts[0] == "apis", let r = cached(path, { Discovery.group(parts[1], $0) }) { return r }
        if parts.count == 3, parts[0] == "apis",
           let r = cached(path, { Discovery.resourceList(group: parts[1], version: parts[2], $0) }) { return r }
        throw APIError.pathNotFound()
    }

    func aggregatedResponse(core: Bool, _ catalog: CatalogSnapshot) -> HTTPResponse {
        let bytes = discovery.document(core ? "aggregated:api" : "aggregated:apis", catalog) { Discovery.aggregated(core: core, $0) } ?? []
        return HTTPResponse(status: 200, headers: [("Content-Type", Discovery.aggregatedContentType)], body: .bytes(bytes))
    }
}
