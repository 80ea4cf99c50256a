import XCTest
import EdgeTLS
import EdgeTestSupport
import NIOCore
import NIOPosix
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// A pod directory with fixed answers.
struct FakeDirectory: ContainerDirectory {
    var pods: [String: [String]] = ["default/web": ["app"]]
    var logs: [String: String] = [:]
    var previousLogs: [String: String] = [:]
    var running = false
    var target: ExecTarget? = ExecTarget(pid: 1, capabilities: [], env: ["PATH=/bin"])
    /// The test's own network namespace stands in for the pod's (port-forward dials its loopback).
    var netns: String? = "/proc/self/ns/net"

    func containerNames(namespace: String, pod: String) -> [String]? { pods["\(namespace)/\(pod)"] }
    func logPath(namespace: String, pod: String, container: String, previous: Bool) -> String? {
        (previous ? previousLogs : logs)["\(namespace)/\(pod)/\(container)"]
    }
    func isRunning(namespace: String, pod: String, container: String) -> Bool { running }
    func execTarget(namespace: String, pod: String, container: String) -> ExecTarget? { target }
    func networkNamespace(namespace: String, pod: String) -> String? { pods["\(namespace)/\(pod)"] == nil ? nil : netns }
}

/// Runs the command as a host process with pipes: the exec session's whole
/// path without namespaces (those are ContainerExecTests' business).
let hostShellLauncher: ExecLauncher = { _, options in
    var fds: [[Int32]] = []
    func p() -> [Int32] { var f: [Int32] = [0, 0]; _ = pipe(&f); fds.append(f); return f }
    let inP = p(), outP = p(), errP = p()
    var fa = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fa)
    posix_spawn_file_actions_adddup2(&fa, inP[0], 0)
    posix_spawn_file_actions_adddup2(&fa, outP[1], 1)
    posix_spawn_file_actions_adddup2(&fa, errP[1], 2)
    for f in fds.joined() { posix_spawn_file_actions_addclose(&fa, f) }
    let args = options.command.map { strdup($0) } + [nil]
    defer { args.forEach { free($0) }; posix_spawn_file_actions_destroy(&fa) }
    var pid: pid_t = 0
    guard posix_spawn(&pid, options.command[0], &fa, nil, args, nil) == 0 else {
        fds.joined().forEach { close($0) }
        throw AgentAPIError(status: 500, message: "spawn \(options.command[0]) failed")
    }
    close(inP[0]); close(outP[1]); close(errP[1])
    return LaunchedProcess(stdin: inP[1], stdout: outP[0], stderr: errP[0], terminal: nil, resize: { _, _ in }, pollExit: {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return (status >> 8) & 0xff
    })
}

/// Cluster CA, clients of it, and a stranger's CA.
struct TestPKI {
    let caCert: String
    let caKey: String

    init() throws {
        caKey = try PKI.generateKey()
        caCert = try PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
    }

    func client(_ cn: String, _ orgs: [String] = []) throws -> TLSConfiguration {
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: cn, organizations: orgs), usage: .clientAuth)
        return try TLSConfiguration.client(trustedCAPEM: nil, certificatePEM: cert, keyPEM: key)
    }
}

/// A byte-level client: sends what it is told, collects what comes back.
final class RawClient: @unchecked Sendable {
    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var bytes: [UInt8] = []
        var closed = false
        /// The certificates the server sent, once the TLS handshake is done.
        var serverChainPEM: String?
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += unwrapInboundIn(data).readableBytesView }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let done = event as? TLSHandshakeCompleted { serverChainPEM = done.peerChainPEM }
            context.fireUserInboundEventTriggered(event)
        }
        func channelInactive(context: ChannelHandlerContext) { closed = true }
    }

    let channel: Channel
    let collector = Collector()

    init(group: EventLoopGroup, port: Int, tls: TLSConfiguration?) async throws {
        let collector = self.collector
        channel = try await ClientBootstrap(group: group).channelInitializer { ch in
            ch.eventLoop.makeCompletedFuture {
                if let tls { try ch.pipeline.syncOperations.addHandler(try TLSHandler(configuration: tls)) }
                try ch.pipeline.syncOperations.addHandler(collector)
            }
        }.connect(host: "127.0.0.1", port: port).get()
    }

    func send(_ bytes: [UInt8]) async throws { try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get() }
    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Waits until `done` holds for what arrived (or the connection closed, or 10 s passed).
    func receive(until done: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }) async throws -> [UInt8] {
        let c = collector
        for _ in 0..<1000 {
            let (b, closed) = try await channel.eventLoop.submit { (c.bytes, c.closed) }.get()
            if done(b) || closed { return b }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await channel.eventLoop.submit { c.bytes }.get()
    }

    /// The server's certificates from the TLS handshake; nil if the connection closed first (or the deadline passed).
    func serverChain() async throws -> String? {
        let c = collector
        let giveUp = TestDeadline.after(.seconds(10))
        while ContinuousClock.now < giveUp {
            let (chain, closed) = try await channel.eventLoop.submit { (c.serverChainPEM, c.closed) }.get()
            if chain != nil || closed { return chain }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func text(until marker: String? = nil) async throws -> String {
        String(decoding: try await receive { b in marker.map { String(decoding: b, as: UTF8.self).contains($0) } ?? false }, as: UTF8.self)
    }
}

/// Server frames (unmasked) after a 101 head, as (channel, data) messages.
func channelMessages(_ bytes: [UInt8]) -> (head: String, messages: [(UInt8, String)], closed: Bool) {
    guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
        return (String(decoding: bytes, as: UTF8.self), [], false)
    }
    var p = WebSocketParser(requireMasked: false)
    let events = (try? p.feed(Array(bytes[(end + 4)...]))) ?? []
    var messages: [(UInt8, String)] = []
    var closed = false
    for e in events {
        if case .message(_, let m) = e, let id = m.first { messages.append((id, String(decoding: m.dropFirst(), as: UTF8.self))) }
        if case .close = e { closed = true }
    }
    return (String(decoding: bytes[..<end], as: UTF8.self), messages, closed)
}

func upgradeRequest(_ path: String, protocols: String = "v5.channel.k8s.io") -> String {
    "GET \(path) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: \(protocols)\r\n\r\n"
}

func clientFrame(_ channel: UInt8, _ data: [UInt8]) -> [UInt8] {
    WebSocketFrame(opcode: .binary, payload: [channel] + data).encoded(maskingKey: [1, 2, 3, 4])
}
