import EdgeAPI
import EdgeAuth
import EdgeRegistry

/// The audit record of one request, following it through the API service as
/// upstream's audit filter does: the policy is evaluated once the caller is
/// authenticated, RequestReceived is written before anything else happens,
/// impersonation and the authorization decision are noted, and the answer's
/// status (and, by level, the request and response bodies) ends the event at
/// ResponseComplete. A streamed answer (watch, log follow) writes
/// ResponseStarted when it begins and ResponseComplete when it ends.
final class RequestAudit {
    let auditor: Auditor
    let request: HTTPRequest
    let received: Timestamp
    let auditID: String
    private(set) var config = AuditRequestConfig.none
    private(set) var event: AuditEvent?
    /// What admission steps note for the event (Pod Security's policy and audit-mode violations).
    let annotations = AuditAnnotations()

    init(_ auditor: Auditor, _ request: HTTPRequest) {
        self.auditor = auditor
        self.request = request
        received = Timestamp.now()
        // A client-chosen Audit-ID is kept, as upstream does, when it is a sane size.
        let given = request.headers["audit-id"] ?? ""
        auditID = !given.isEmpty && given.utf8.count <= 64 && given.allSatisfy({ $0.isASCII && !$0.isWhitespace }) ? given : Identifiers.uuid()
    }

    static let maxUserAgentLength = 1024

    /// The request is authenticated as `user` (nil: authentication failed). False when RequestReceived could not be stored.
    func begin(user: UserInfo?, info: RequestInfo?, path: String) -> Bool {
        let verb = info?.verb ?? request.method.lowercased()
        config = auditor.policy.evaluate(AuditAttributes(user: user, verb: verb, resource: info, path: path))
        guard config.level != .none else { return true }
        var ev = AuditEvent(level: config.level, auditID: auditID, requestURI: requestURI, verb: verb, user: user, received: received)
        ev.sourceIPs = sourceIPs
        var agent = request.headers["user-agent"] ?? ""
        if agent.utf8.count > Self.maxUserAgentLength { agent = String(decoding: agent.utf8.prefix(Self.maxUserAgentLength), as: UTF8.self) + "...TRUNCATED" }
        ev.userAgent = agent
        if let info {
            ev.objectRef = AuditObjectReference(resource: info.resource, namespace: info.namespace ?? "", name: info.name ?? "",
                                                apiGroup: info.group, apiVersion: info.version, subresource: info.subresource ?? "")
        }
        event = ev
        guard user != nil else { return true }
        return emit(.requestReceived)
    }

    /// Upstream's failed-authentication event: ResponseStarted with 401 and the methods tried.
    func failedAuthentication(info: RequestInfo?, path: String) {
        _ = begin(user: nil, info: info, path: path)
        guard var ev = event else { return }
        var methods: [String] = []
        let auth = (request.headers["authorization"] ?? "").trimmingCharacters(in: " ")
        if auth.lowercased().hasPrefix("basic ") { methods.append("basic") }
        if auth.split(separator: " ").count > 1, auth.lowercased().hasPrefix("bearer ") { methods.append("bearer") }
        if !(request.query["access_token"] ?? "").isEmpty { methods.append("access_token") }
        if request.clientCertificate != nil { methods.append("x509") }
        let message = methods.isEmpty ? "Authentication failed, no credentials provided"
            : "Authentication failed, attempted: " + methods.joined(separator: ", ")
        ev.responseStatus = ["metadata": [:], "message": .string(message), "code": 401]
        event = ev
        _ = emit(.responseStarted)
        event = nil
    }

    func impersonated(_ user: UserInfo) {
        event?.impersonatedUser = user
    }

    func authorized(_ decision: AuthorizationDecision) {
        event?.annotate("authorization.k8s.io/decision", decision.allowed ? "allow" : "forbid")
        event?.annotate("authorization.k8s.io/reason", decision.reason)
    }

    /// Ends the record with the answer; a streamed answer is given back wrapped so its end is recorded.
    func finish(_ resp: HTTPResponse) -> HTTPResponse {
        guard var ev = event else { return resp }
        event = nil
        var resp = resp
        resp.headers.append(("Audit-Id", auditID))
        fillObjects(&ev, resp)
        for (k, v) in annotations.all { ev.annotate(k, v) }
        guard case .stream(let chunks) = resp.body else {
            ev.stage = .responseComplete
            ev.stageTimestamp = Timestamp.now()
            if !config.omitStages.contains(.responseComplete) { _ = auditor.sink.write(ev) }
            return resp
        }
        ev.stage = .responseStarted
        ev.stageTimestamp = Timestamp.now()
        if !config.omitStages.contains(.responseStarted) { _ = auditor.sink.write(ev) }
        let ending = StreamEnd(sink: auditor.sink, event: ev, omit: config.omitStages.contains(.responseComplete))
        let upstream = IteratorBox(chunks.makeAsyncIterator())
        resp.body = .stream(AsyncStream(unfolding: {
            if let c = await upstream.next() { return c }
            ending.record()
            return nil
        }, onCancel: { ending.record() }))
        return resp
    }

    /// An upgraded connection (exec, port-forward) handed to the node: started with 101, and complete as far as the server sees it.
    func finishTunnel() {
        guard var ev = event else { return }
        event = nil
        ev.responseStatus = AuditEvent.responseStatus(code: 101, body: nil)
        for stage in [AuditStage.responseStarted, .responseComplete] where !config.omitStages.contains(stage) {
            ev.stage = stage
            ev.stageTimestamp = Timestamp.now()
            _ = auditor.sink.write(ev)
        }
    }

    private func emit(_ stage: AuditStage) -> Bool {
        guard var ev = event else { return true }
        ev.stage = stage
        ev.stageTimestamp = stage == .requestReceived ? ev.requestReceivedTimestamp : Timestamp.now()
        event = ev
        if config.omitStages.contains(stage) { return true }
        return auditor.sink.write(ev)
    }

    /// Names from the request body, bodies by level, and the Status of the answer.
    private func fillObjects(_ ev: inout AuditEvent, _ resp: HTTPResponse) {
        let contentType = request.headers["content-type"] ?? "application/json"
        if !request.body.isEmpty, ["POST", "PUT", "PATCH", "DELETE"].contains(request.method) {
            // The body as the handler decoded it (kubectl sends built-in kinds as protobuf), logged as JSON as upstream.
            var object: JSON?
            if contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
                object = try? ProtobufDecoder.decode(request.body)
            } else if contentType.contains("yaml") {
                object = try? YAMLParser.parse(String(decoding: request.body, as: UTF8.self))
            } else if contentType.contains("json") {
                object = try? JSONParser.parse(request.body)
            }
            if let object, request.method != "PATCH" || object["metadata"] != nil {
                // As upstream's LogRequestObject: names the object from its metadata where the path did not.
                var ref = ev.objectRef ?? AuditObjectReference()
                if ref.namespace.isEmpty { ref.namespace = object[path: ["metadata", "namespace"]]?.string ?? "" }
                if ref.name.isEmpty { ref.name = object[path: ["metadata", "name"]]?.string ?? "" }
                if ref.uid.isEmpty { ref.uid = object[path: ["metadata", "uid"]]?.string ?? "" }
                if ref.resourceVersion.isEmpty { ref.resourceVersion = object[path: ["metadata", "resourceVersion"]]?.string ?? "" }
                ev.objectRef = ref
            }
            if config.level >= .request, let object { ev.requestObject = trimmed(object) }
        }
        let responseIsJSON = (resp.header("content-type") ?? "").contains("json")
        var body: JSON?
        if responseIsJSON, case .bytes(let bytes) = resp.body, !bytes.isEmpty,
           config.level >= .requestResponse || resp.status >= 300 || request.method == "DELETE" {
            body = try? JSONParser.parse(bytes)
        }
        ev.responseStatus = AuditEvent.responseStatus(code: resp.status, body: body)
        if config.level >= .requestResponse, let body { ev.responseObject = trimmed(body) }
    }

    /// Without managedFields, when the policy says so (the object's, or each list item's).
    private func trimmed(_ object: JSON) -> JSON {
        guard config.omitManagedFields else { return object }
        var o = object
        if o[path: ["metadata", "managedFields"]] != nil { o[path: ["metadata", "managedFields"]] = nil }
        if let items = o["items"]?.array {
            o["items"] = .array(items.map { var i = $0; if i[path: ["metadata", "managedFields"]] != nil { i[path: ["metadata", "managedFields"]] = nil }; return i })
        }
        return o
    }

    /// The request target as the client sent it (upstream's URL.RequestURI()).
    var requestURI: String { request.uri ?? request.path }

    static func isIP(_ s: String) -> Bool {
        if IPv4Address(s) != nil { return true }
        return s.contains(":") && s.count <= 45 && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// As upstream: X-Forwarded-For's addresses, then X-Real-Ip, then the peer, each once.
    var sourceIPs: [String] {
        var ips: [String] = []
        for part in (request.headers["x-forwarded-for"] ?? "").split(separator: ",") {
            let ip = part.trimmingCharacters(in: " ")
            if Self.isIP(ip), !ips.contains(ip) { ips.append(ip) }
        }
        if let real = request.headers["x-real-ip"]?.trimmingCharacters(in: " "), Self.isIP(real), !ips.contains(real) { ips.append(real) }
        if let peer = request.remoteAddress, !ips.contains(peer) { ips.append(peer) }
        return ips
    }
}
