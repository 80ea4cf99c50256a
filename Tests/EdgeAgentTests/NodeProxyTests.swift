import XCTest
import EdgeAPI
import EdgeStore
import EdgeTLS
import NIOCore
import NIOPosix
@testable import EdgeAgent
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth
#if canImport(Glibc)
import Glibc
#endif

/// pods/log and pods/exec through the API server to a real agent API (TLS,
/// kubelet client certificate), the exec also through the HTTP server's
/// upgrade path and tunnel.
class NodeProxyTests: XCTestCase {
    struct Admin: Authenticator {
        func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? { UserInfo(name: "admin", groups: ["system:masters"]) }
    }

    var group: MultiThreadedEventLoopGroup!
    var closers: [Channel] = []
    var logFile = ""

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 2) }

    override func tearDown() {
        for c in closers { c.close(promise: nil) }
        if !logFile.isEmpty { unlink(logFile) }
        try? group.syncShutdownGracefully()
    }

    func cluster() async throws -> (APIService, Int) {
        let pki = try TestPKI()
        logFile = "/tmp/edgectl-proxy-\(getpid()).log"
        let f = fopen(logFile, "w")!
        fputs("2026-12-01T19:21:28Z stdout F first\n2026-12-01T19:21:29Z stdout F second\n", f)
        fclose(f)
        var d = FakeDirectory()
        d.logs["default/web/app"] = logFile
        d.running = true
        let tls = try AgentAPIServer.tlsConfiguration(clientCAPEM: pki.caCert, nodeName: "node-a", addresses: ["127.0.0.1"])
        let agent = try await AgentAPIServer(directory: d, tls: tls, host: "127.0.0.1", port: 0, launch: hostShellLauncher).start(group: group)
        closers.append(agent)
        let store = try ObjectStore(backend: MemoryBackend())
        try await ClusterBootstrap.ensureSystemObjects(store)
        let proxy = NodeProxy(connector: TLSNodeConnector(group: group, tls: try pki.client("kube-apiserver-kubelet-client", ["system:masters"])))
        let service = APIService(store: store, authenticators: [Admin()],
                                 openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "127.0.0.1:6443", nodeProxy: proxy)
        func call(_ method: String, _ uri: String, _ body: JSON) async throws {
            let r = await service.handle(HTTPRequest(method: method, uri: uri, headers: ["content-type": "application/json"], body: JSONSerializer.serialize(body)))
            XCTAssertLessThan(r.status, 300, "\(method) \(uri): \(String(decoding: r.bodyBytes, as: UTF8.self))")
        }
        var node: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-a"]]
        try await call("POST", "/api/v1/nodes", node)
        let got = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/nodes/node-a"))
        node = try JSONParser.parse(got.bodyBytes)
        node["status"] = ["addresses": [["type": "InternalIP", "address": "127.0.0.1"]],
                          "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(agent.localAddress!.port!))]]]
        try await call("PUT", "/api/v1/nodes/node-a/status", node)
        func pod(_ name: String, _ containers: [String], node: String?) -> JSON {
            var spec: JSON = ["containers": .array(containers.map { ["name": .string($0), "image": "busybox"] })]
            if let node { spec["nodeName"] = .string(node) }
            return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
        }
        try await call("POST", "/api/v1/namespaces/default/pods", pod("web", ["app"], node: "node-a"))
        try await call("POST", "/api/v1/namespaces/default/pods", pod("multi", ["a", "b"], node: "node-a"))
        try await call("POST", "/api/v1/namespaces/default/pods", pod("pending", ["app"], node: nil))
        let server = try await HTTPServer.start(host: "127.0.0.1", port: 0, group: group, service: service)
        closers.append(server)
        return (service, server.localAddress!.port!)
    }

    func body(_ r: HTTPResponse) async -> String {
        switch r.body {
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .stream(let s):
            var out: [UInt8] = []
            for await c in s { out += c }
            return String(decoding: out, as: UTF8.self)
        }
    }

    func testLogsAreProxiedWithUpstreamsContainerRules() async throws {
        let (service, _) = try await cluster()
        let tail = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/pods/web/log?tailLines=1&timestamps=true"))
        XCTAssertEqual(tail.status, 200)
        let tailText = await body(tail)
        XCTAssertEqual(tailText, "2026-12-01T19:21:29.000000000Z second\n")
        let multi = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/pods/multi/log"))
        XCTAssertEqual(multi.status, 400)
        let multiText = await body(multi)
        XCTAssertTrue(multiText.contains("a container name must be specified for pod multi, choose one of: [a b]"), multiText)
        let wrong = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/pods/web/log?container=db"))
        let wrongText = await body(wrong)
        XCTAssertTrue(wrong.status == 400 && wrongText.contains("container db is not valid for pod web"), wrongText)
        let pending = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/pods/pending/log"))
        XCTAssertEqual(pending.status, 200, "nothing logged before scheduling")
        // The agent's 404 (its directory has no pod "multi") comes back as a Status.
        let unknown = await service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/pods/multi/log?container=a"))
        let unknownText = await body(unknown)
        XCTAssertTrue(unknown.status == 404 && unknownText.contains("does not exist"), unknownText)
    }

    /// Echoes with a prefix: the "pod" side of a port-forward.
    final class Echo: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = context.channel.allocator.buffer(string: "echo:")
            var d = unwrapInboundIn(data)
            b.writeBuffer(&d)
            context.writeAndFlush(wrapOutboundOut(b), promise: nil)
        }
    }

    func testPortForwardIsTunnelledOverSPDYToThePodsLoopback() async throws {
        guard geteuid() == 0 else { throw XCTSkip("entering a network namespace needs root") }
        let (_, port) = try await cluster()
        let pod = try await ServerBootstrap(group: group)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Echo()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        closers.append(pod)
        let c = try await RawClient(group: group, port: port, tls: nil)
        try await c.send("POST /api/v1/namespaces/default/pods/web/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                         + "X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n")
        let head = try await c.text(until: "\r\n\r\n")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101") && head.contains("X-Stream-Protocol-Version: portforward.k8s.io"), head)
        let codec = try SPDYHeaderCodec()
        let podPort = String(pod.localAddress!.port!)
        for (id, type) in [(UInt32(1), "error"), (UInt32(3), "data")] {
            let block = try codec.encode([("streamtype", type), ("port", podPort), ("requestid", "0")])
            try await c.send(SPDYFrame.synStream(stream: id, flags: 0, headerBlock: block).encoded)
        }
        try await c.send(SPDYFrame.data(stream: 3, fin: false, payload: Array("ping".utf8)).encoded)
        let headLength = head.utf8.count
        let bytes = try await c.receive { b in
            var p = SPDYParser()
            let frames = (try? p.feed(b.dropFirst(headLength))) ?? []
            return frames.contains(.data(stream: 3, fin: false, payload: Array("echo:ping".utf8)))
        }
        var parser = SPDYParser()
        let frames = try parser.feed(bytes.dropFirst(headLength))
        XCTAssertTrue(frames.contains(.data(stream: 3, fin: false, payload: Array("echo:ping".utf8))), "\(frames)")
        XCTAssertEqual(frames.filter { if case .synReply = $0 { return true } else { return false } }.count, 2)

        let plain = try await RawClient(group: group, port: port, tls: nil)
        try await plain.send("GET /api/v1/namespaces/default/pods/web/portforward HTTP/1.1\r\nHost: x\r\n\r\n")
        let refusal = try await plain.text(until: "\r\n\r\n")
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 400"), refusal)
    }

    func testExecIsTunnelledThroughTheHTTPServer() async throws {
        let (_, port) = try await cluster()
        let c = try await RawClient(group: group, port: port, tls: nil)
        try await c.send(upgradeRequest("/api/v1/namespaces/default/pods/web/exec?command=/bin/sh&command=-c&command=read+x%3B+echo+hi-%24x&stdin=true&stdout=true&stderr=true"))
        _ = try await c.text(until: "\r\n\r\n")
        try await c.send(clientFrame(0, Array("there\n".utf8)))
        let bytes = try await c.receive { channelMessages($0).closed }
        let (head, messages, closed) = channelMessages(bytes)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101") && head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), head)
        XCTAssertTrue(closed)
        XCTAssertEqual(messages.filter { $0.0 == 1 }.map { $0.1 }.joined(), "hi-there\n")
        XCTAssertEqual(messages.first(where: { $0.0 == 3 }).map { $0.1 }, "{\"metadata\":{},\"status\":\"Success\"}")

        let pending = try await RawClient(group: group, port: port, tls: nil)
        try await pending.send(upgradeRequest("/api/v1/namespaces/default/pods/pending/exec?command=sh&stdout=true"))
        let refusal = try await pending.text()
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 400") && refusal.contains("pod pending does not have a host assigned"), refusal)
    }
}
