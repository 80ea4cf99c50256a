import EdgeAPI
import EdgeRegistry
import NIOCore
import NIOHTTP1

/// pods/log and pods/exec: finds the pod's node and its agent API address,
/// sends the request on in kubelet's form (`/containerLogs/...`, `/exec/...`)
/// and relays the answer: a log stream, or the agent's WebSocket upgrade.
public struct NodeProxy: Sendable {
    static let pods = BuiltinResources.pods
    static let nodes = BuiltinResources.nodes

    let connector: any NodeConnector

    public init(connector: any NodeConnector) { self.connector = connector }

    struct Target {
        var address: NodeAddress
        var container: String
    }

    /// nil: the pod is not scheduled yet.
    func target(_ store: ObjectStore, namespace: String, pod name: String, container: String?) async throws -> Target? {
        let pod = try await store.get(Self.pods, namespace: namespace, name: name)
        let container = try PodContainerChoice.resolve(pod: pod, name: name, requested: container)
        guard let nodeName = pod[path: ["spec", "nodeName"]]?.string, !nodeName.isEmpty else { return nil }
        let node = try await store.get(Self.nodes, namespace: nil, name: nodeName)
        guard let address = NodeAddress(node: node) else {
            throw APIError(code: 500, reason: "InternalError", message: "node \(nodeName) has no address to reach its agent")
        }
        return Target(address: address, container: container)
    }

    static func logQuery(_ q: [(String, String)]) -> [(String, String)] {
        func first(_ k: String) -> String? { q.first { $0.0 == k }?.1 }
        var out: [(String, String)] = []
        for flag in ["follow", "previous", "timestamps"] where AgentQueryEncoding.isTrue(first(flag)) { out.append((flag, "true")) }
        for k in ["sinceSeconds", "sinceTime", "tailLines", "limitBytes"] { if let v = first(k) { out.append((k, v)) } }
        return out
    }

    static func execQuery(_ q: [(String, String)]) -> [(String, String)] {
        func first(_ k: String) -> String? { q.first { $0.0 == k }?.1 }
        var out: [(String, String)] = []
        // kubelet's parameter names (api.ExecStdinParam and friends).
        for (ours, theirs) in [("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty")] where AgentQueryEncoding.isTrue(first(ours)) {
            out.append((theirs, "1"))
        }
        out += q.filter { $0.0 == "command" }
        return out
    }

    func connect(_ a: NodeAddress) async throws -> Channel {
        do { return try await connector.connect(host: a.host, port: a.port) } catch {
            throw APIError(code: 500, reason: "InternalError", message: "error dialing backend: dial tcp \(a.authority): \(error)")
        }
    }

    /// An agent refusal as the API server reports it.
    static func relayed(status: Int, body: [UInt8]) -> APIError {
        let text = String(decoding: body, as: UTF8.self)
        let message = text.hasSuffix("\n") ? String(text.dropLast()) : text
        switch status {
        case 400: return APIError.badRequest(message)
        case 404: return APIError(code: 404, reason: "NotFound", message: message)
        case 401, 403:
            return APIError(code: 500, reason: "InternalError", message: "the node's agent refused the API server (\(status)): \(message)")
        default: return APIError(code: 500, reason: "InternalError", message: "the node's agent answered \(status): \(message)")
        }
    }

    // MARK: logs

    public func logs(_ store: ObjectStore, namespace: String, pod: String, query: [(String, String)]) async throws -> HTTPResponse {
        let container = query.first { $0.0 == "container" }?.1
        guard let t = try await target(store, namespace: namespace, pod: pod, container: container) else {
            // Not scheduled: nothing has been logged yet (upstream answers an empty body).
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .bytes([]))
        }
        let path = "/containerLogs/\(AgentQueryEncoding.escape(namespace))/\(AgentQueryEncoding.escape(pod))/\(AgentQueryEncoding.escape(t.container))"
        let q = AgentQueryEncoding.encode(Self.logQuery(query))
        let channel = try await connect(t.address)
        let headPromise = channel.eventLoop.makePromise(of: (Int, [UInt8]).self)
        let reader = AgentLogReader(head: headPromise)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: t.address.authority)
        headers.add(name: "Connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: q.isEmpty ? path : path + "?" + q, headers: headers)
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                try channel.pipeline.syncOperations.addHandler(reader)
            }.get()
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
            let (status, body) = try await headPromise.futureResult.get()
            guard status == 200 else { throw Self.relayed(status: status, body: body) }
        } catch {
            try? await channel.close()
            if let e = error as? APIError { throw e }
            throw APIError(code: 500, reason: "InternalError", message: "failed to read logs from the node's agent at \(t.address.authority): \(error)")
        }
        let stream = AsyncStream<[UInt8]>(unfolding: {
            try? await channel.eventLoop.flatSubmit { reader.next(on: channel.eventLoop) }.get()
        }, onCancel: { channel.close(promise: nil) })
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .stream(stream))
    }

    // MARK: port-forward

    /// pods/portforward: the upgrade (SPDY, or WebSocket tunnelling SPDY) goes
    /// on to the agent's /portForward/{ns}/{pod}; once it answers 101 the bytes
    /// are relayed as they are, the agent dialling the pod's ports.
    public func portForward(_ store: ObjectStore, namespace: String, pod: String, request: HTTPRequest) async throws -> UpgradeOutcome {
        let upgrade = (request.headers["upgrade"] ?? "").lowercased()
        guard upgrade.contains("websocket") || upgrade.contains("spdy/3.1") else {
            throw APIError.badRequest("Upgrade request required: pods/portforward is served over SPDY/3.1 or WebSocket (SPDY/3.1+portforward.k8s.io)")
        }
        let podObject = try await store.get(Self.pods, namespace: namespace, name: pod)
        guard let nodeName = podObject[path: ["spec", "nodeName"]]?.string, !nodeName.isEmpty else {
            throw APIError.badRequest("pod \(pod) does not have a host assigned")
        }
        let phase = podObject[path: ["status", "phase"]]?.string ?? ""
        guard phase != "Succeeded" && phase != "Failed" else {
            throw APIError.badRequest("cannot port-forward to a completed pod; current phase is \(phase)")
        }
        let node = try await store.get(Self.nodes, namespace: nil, name: nodeName)
        guard let address = NodeAddress(node: node) else {
            throw APIError(code: 500, reason: "InternalError", message: "node \(nodeName) has no address to reach its agent")
        }
        let path = "/portForward/\(AgentQueryEncoding.escape(namespace))/\(AgentQueryEncoding.escape(pod))"
        let query = request.queryItems.filter { $0.0 == "ports" }
        var text = "\(request.method) \(query.isEmpty ? path : path + "?" + AgentQueryEncoding.encode(query)) HTTP/1.1\r\nHost: \(address.authority)\r\n"
        text += "Upgrade: \(request.headers["upgrade"] ?? "")\r\nConnection: Upgrade\r\nContent-Length: 0\r\n"
        for h in ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol", "x-stream-protocol-version"] {
            if let v = request.headers[h] { text += "\(h): \(v)\r\n" }
        }
        text += "\r\n"
        return try await relayUpgrade(text, to: address)
    }

    /// Sends an upgrade request to an agent: its 101 becomes a tunnel, a refusal the answer.
    func relayUpgrade(_ text: String, to address: NodeAddress) async throws -> UpgradeOutcome {
        let channel = try await connect(address)
        let done = channel.eventLoop.makePromise(of: (UpgradeResponseReader.Head, [UInt8]).self)
        let reader = UpgradeResponseReader(done: done)
        do {
            try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(reader) }.get()
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: Array(text.utf8))).get()
            let (head, rest) = try await done.futureResult.get()
            guard head.status == 101 else {
                try? await channel.close()
                return .response(.error(Self.relayed(status: head.status, body: rest)))
            }
            return .tunnel(agent: channel, head: head.bytes, early: rest, reader: UpgradeTunnelReader(handler: reader))
        } catch {
            try? await channel.close()
            throw APIError(code: 500, reason: "InternalError", message: "failed to upgrade the connection to the node's agent at \(address.authority): \(error)")
        }
    }

    // MARK: exec

    public func exec(_ store: ObjectStore, namespace: String, pod: String, request: HTTPRequest) async throws -> UpgradeOutcome {
        guard (request.headers["upgrade"] ?? "").lowercased().contains("websocket") else {
            throw APIError.badRequest("Upgrade request required: pods/exec is served over WebSocket (v5.channel.k8s.io)")
        }
        let query = request.queryItems
        let container = query.first { $0.0 == "container" }?.1
        guard let t = try await target(store, namespace: namespace, pod: pod, container: container) else {
            throw APIError.badRequest("pod \(pod) does not have a host assigned")
        }
        guard query.contains(where: { $0.0 == "command" }) else {
            throw APIError.badRequest("you must specify at least one command for the container")
        }
        let path = "/exec/\(AgentQueryEncoding.escape(namespace))/\(AgentQueryEncoding.escape(pod))/\(AgentQueryEncoding.escape(t.container))"
        var text = "GET \(path)?\(AgentQueryEncoding.encode(Self.execQuery(query))) HTTP/1.1\r\nHost: \(t.address.authority)\r\n"
        text += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        for h in ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol"] {
            if let v = request.headers[h] { text += "\(h): \(v)\r\n" }
        }
        text += "\r\n"
        let channel = try await connect(t.address)
        let done = channel.eventLoop.makePromise(of: (UpgradeResponseReader.Head, [UInt8]).self)
        let reader = UpgradeResponseReader(done: done)
        do {
            try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(reader) }.get()
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: Array(text.utf8))).get()
            let (head, rest) = try await done.futureResult.get()
            guard head.status == 101 else {
                try? await channel.close()
                return .response(.error(Self.relayed(status: head.status, body: rest)))
            }
            return .tunnel(agent: channel, head: head.bytes, early: rest, reader: UpgradeTunnelReader(handler: reader))
        } catch {
            try? await channel.close()
            throw APIError(code: 500, reason: "InternalError", message: "failed to upgrade the connection to the node's agent at \(t.address.authority): \(error)")
        }
    }
}
