import EdgeAPI
import EdgeStore

/// The Kubernetes REST API over an ObjectStore, independent of transport:
/// `handle` takes a whole request and returns a whole (or streamed) response.
public final class APIService: Sendable {
    public let store: ObjectStore
    let authenticators: [any Authenticator]
    let authorizer: any Authorizer
    let openAPI: OpenAPIDocuments
    let serverAddress: String
    /// Issues tokens for serviceaccounts/token; nil where no signing key is configured.
    let serviceAccountTokens: ServiceAccountTokens?
    /// Reaches node agents for pods/log and pods/exec; nil: those answer 503.
    let nodeProxy: NodeProxy?
    /// The version kubectl compares itself with (it warns beyond one minor of skew).
    public static let kubernetesVersion = (major: "1", minor: "37", git: "v1.37.0+edgectl")
    public static let maxBodyBytes = 3 * 1024 * 1024

    public init(store: ObjectStore, authenticators: [any Authenticator], authorizer: any Authorizer,
                openAPI: OpenAPIDocuments, serverAddress: String, serviceAccountTokens: ServiceAccountTokens? = nil,
                nodeProxy: NodeProxy? = nil) {
        self.serviceAccountTokens = serviceAccountTokens
        self.nodeProxy = nodeProxy
        self.store = store
        self.authenticators = authenticators
        // Node reads of secrets and configmaps are checked against the pods bound to the node, whatever the rules.
        self.authorizer = NodeGraphAuthorizer(store: store, next: authorizer)
        self.openAPI = openAPI
        self.serverAddress = serverAddress
    }

    public func handle(_ req: HTTPRequest) async -> HTTPResponse {
        do {
            return try await route(req)
        } catch let e as APIError {
            return .error(e)
        } catch {
            return .error(.internalError("\(error)"))
        }
    }

    static let publicPaths: Set<String> = ["/healthz", "/livez", "/readyz", "/version", "/healthz/ping", "/livez/ping", "/readyz/ping"]

    func route(_ req: HTTPRequest) async throws -> HTTPResponse {
        let path = req.path.count > 1 && req.path.hasSuffix("/") ? String(req.path.dropLast()) : req.path
        if Self.publicPaths.contains(path) {
            if path == "/version" { return .json(200, versionInfo()) }
            return .text(200, "ok")
        }
        let user = try await authenticate(req, path: path)
        let info = RequestInfo.parse(method: req.method, path: path, query: req.query)
        guard await authorizer.authorize(user, info, path: path) else {
            throw forbidden(user, info, path: path)
        }
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
        if let info, ResourceRegistry.lookup(group: info.group, version: info.version, plural: info.resource) != nil {
            return try await ResourceHandler(service: self, request: req, info: info, user: user).serve()
        }
        return try nonResource(req, path: path, info: info)
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
        do {
            let path = req.path.count > 1 && req.path.hasSuffix("/") ? String(req.path.dropLast()) : req.path
            let user = try await authenticate(req, path: path)
            let info = RequestInfo.parse(method: req.method, path: path, query: req.query)
            guard await authorizer.authorize(user, info, path: path) else { throw forbidden(user, info, path: path) }
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
        for a in authenticators {
            if let u = try await a.authenticate(req) { return u }
        }
        if req.method == "GET", Self.anonymousPaths.contains(path), req.headers["authorization"] == nil, req.clientCertificate == nil {
            return UserInfo.anonymous
        }
        throw APIError.unauthorized
    }

    func forbidden(_ user: UserInfo, _ info: RequestInfo?, path: String) -> APIError {
        guard let info else {
            return .forbidden("forbidden: User \"\(user.name)\" cannot \(verbWord(for: "get")) path \"\(path)\"")
        }
        let res = info.subresource.map { "\(info.resource)/\($0)" } ?? info.resource
        let target = info.name.map { "\(info.resource) \"\($0)\"" } ?? info.resource
        var msg = "\(target) is forbidden: User \"\(user.name)\" cannot \(info.verb) resource \"\(res)\" in API group \"\(info.group)\""
        if let ns = info.namespace { msg += " in the namespace \"\(ns)\"" } else if info.resource != "namespaces" { msg += " at the cluster scope" }
        return APIError(code: 403, reason: "Forbidden", message: msg,
                        details: .init(name: info.name, group: info.group, kind: info.resource))
    }

    private func verbWord(for v: String) -> String { v }

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

    func nonResource(_ req: HTTPRequest, path: String, info: RequestInfo?) throws -> HTTPResponse {
        guard req.method == "GET" || req.method == "HEAD" else {
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
        let aggregated = (req.headers["accept"] ?? "").contains("as=APIGroupDiscoveryList")
        switch path {
        case "/api":
            if aggregated { return aggregatedResponse(core: true) }
            return .json(200, Discovery.apiVersions(serverAddress: serverAddress))
        case "/apis":
            if aggregated { return aggregatedResponse(core: false) }
            return .json(200, Discovery.groupList())
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
        if parts.count == 2, parts[0] == "api", let l = Discovery.resourceList(group: "", version: parts[1]) { return .json(200, l) }
        if parts.count == 2, parts[0] == "apis", let g = Discovery.group(parts[1]) { return .json(200, g) }
        if parts.count == 3, parts[0] == "apis", let l = Discovery.resourceList(group: parts[1], version: parts[2]) { return .json(200, l) }
        throw APIError.pathNotFound()
    }

    func aggregatedResponse(core: Bool) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", Discovery.aggregatedContentType)],
                     body: .bytes(JSONSerializer.serialize(Discovery.aggregated(core: core))))
    }
}
