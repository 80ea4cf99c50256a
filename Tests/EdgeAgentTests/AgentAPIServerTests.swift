import XCTest
import EdgeTLS
import NIOCore
import NIOPosix
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// The agent API over real TLS on loopback, with a fake pod directory and
/// host processes standing in for containers.
final class AgentAPIServerTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    var pki: TestPKI!
    var logDir = ""

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pki = try TestPKI()
        var t = Array("/tmp/edgectl-agentapi-XXXXXX".utf8CString)
        logDir = String(cString: mkdtemp(&t))
    }

    override func tearDown() {
        _ = system("rm -rf \(logDir)")
        try? group.syncShutdownGracefully()
    }

    func serve(_ d: FakeDirectory) async throws -> (Channel, Int) {
        let tls = try AgentAPIServer.tlsConfiguration(clientCAPEM: pki.caCert, nodeName: "node-a", addresses: ["127.0.0.1"])
        let server = AgentAPIServer(directory: d, tls: tls, host: "127.0.0.1", port: 0, launch: hostShellLauncher)
        let ch = try await server.start(group: group)
        return (ch, ch.localAddress!.port!)
    }

    func get(_ port: Int, _ path: String, as tls: TLSConfiguration?) async throws -> String {
        let c = try await RawClient(group: group, port: port, tls: tls)
        try await c.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        return try await c.text()
    }

    func writeLog(_ name: String, _ lines: [String]) -> String {
        let path = logDir + "/" + name
        let text = lines.map { $0 + "\n" }.joined()
        text.withCString { s in
            let f = fopen(path, "w")!
            fputs(s, f)
            fclose(f)
        }
        return path
    }

    func testOnlyClusterCertificatesOfTheAPIServerOrMastersGetIn() async throws {
        let (ch, port) = try await serve(FakeDirectory())
        defer { ch.close(promise: nil) }
        let anonymous = try TLSConfiguration.client(trustedCAPEM: nil)
        let r1 = try await get(port, "/healthz", as: anonymous)
        XCTAssertTrue(r1.hasPrefix("HTTP/1.1 401"), r1)
        let stranger = try TestPKI().client("kube-apiserver-kubelet-client")
        let r2 = try await get(port, "/healthz", as: stranger)
        XCTAssertTrue(r2.hasPrefix("HTTP/1.1 401"), "a certificate from another CA is no identity: \(r2)")
        let r3 = try await get(port, "/healthz", as: try pki.client("jane", ["developers"]))
        XCTAssertTrue(r3.hasPrefix("HTTP/1.1 403"), r3)
        let r4 = try await get(port, "/healthz", as: try pki.client("kube-apiserver-kubelet-client"))
        XCTAssertTrue(r4.hasPrefix("HTTP/1.1 200"), r4)
        let r5 = try await get(port, "/healthz", as: try pki.client("admin", ["system:masters"]))
        XCTAssertTrue(r5.hasPrefix("HTTP/1.1 200"), r5)
    }

    func testContainerLogsAndKubeletRefusals() async throws {
        var d = FakeDirectory()
        d.logs["default/web/app"] = writeLog("cur.log", ["2026-12-01T19:21:28.5Z stdout F first", "2026-12-01T19:21:29Z stderr P sec",
                                                        "2026-12-01T19:21:29Z stderr F ond", "2026-12-01T19:21:30Z stdout F third"])
        d.previousLogs["default/web/app"] = writeLog("prev.log", ["2026-12-01T19:00:00Z stdout F before the restart"])
        let (ch, port) = try await serve(d)
        defer { ch.close(promise: nil) }
        let admin = try pki.client("kube-apiserver-kubelet-client")
        let all = try await get(port, "/containerLogs/default/web/app", as: admin)
        XCTAssertTrue(all.hasPrefix("HTTP/1.1 200"), all)
        XCTAssertTrue(all.contains("first\r\n") || all.contains("first\n"), all)
        XCTAssertTrue(all.contains("second\n"), all)
        let tail = try await get(port, "/containerLogs/default/web/app?tailLines=1&timestamps=true", as: admin)
        XCTAssertTrue(tail.contains("2026-12-01T19:21:30.000000000Z third\n"), tail)
        XCTAssertFalse(tail.contains("first"), tail)
        let prev = try await get(port, "/containerLogs/default/web/app?previous=true", as: admin)
        XCTAssertTrue(prev.contains("before the restart"), prev)
        let noPod = try await get(port, "/containerLogs/default/nope/app", as: admin)
        XCTAssertTrue(noPod.hasPrefix("HTTP/1.1 404") && noPod.contains("pod \"nope\" does not exist"), noPod)
        let noContainer = try await get(port, "/containerLogs/default/web/db", as: admin)
        XCTAssertTrue(noContainer.hasPrefix("HTTP/1.1 404") && noContainer.contains("container \"db\" not found in pod \"web\""), noContainer)
        d.previousLogs = [:]
        let (ch2, port2) = try await serve(d)
        defer { ch2.close(promise: nil) }
        let noPrev = try await get(port2, "/containerLogs/default/web/app?previous=true", as: admin)
        XCTAssertTrue(noPrev.hasPrefix("HTTP/1.1 400") && noPrev.contains("previous terminated container \"app\" in pod \"web\" not found"), noPrev)
    }

    func testExecOverWebSocket() async throws {
        var d = FakeDirectory()
        d.running = true
        let (ch, port) = try await serve(d)
        defer { ch.close(promise: nil) }
        let c = try await RawClient(group: group, port: port, tls: try pki.client("kube-apiserver-kubelet-client"))
        let cmd = "command=/bin/sh&command=-c&command=read+x%3B+echo+got-%24x%3B+echo+oops+%3E%262%3B+exit+3"
        try await c.send(upgradeRequest("/exec/default/web/app?\(cmd)&input=1&output=1&error=1", protocols: "v4.channel.k8s.io, v5.channel.k8s.io"))
        _ = try await c.text(until: "\r\n\r\n")
        // Ping, then stdin in two masked fragments, then v5's close of stdin.
        try await c.send(WebSocketFrame(opcode: .ping, payload: [7]).encoded(maskingKey: [9, 9, 9, 9]))
        try await c.send(WebSocketFrame(fin: false, opcode: .binary, payload: [0] + Array("hel".utf8)).encoded(maskingKey: [1, 2, 3, 4]) +
                         WebSocketFrame(opcode: .continuation, payload: Array("lo\n".utf8)).encoded(maskingKey: [5, 6, 7, 8]))
        try await c.send(clientFrame(255, [0]))
        let bytes = try await c.receive { channelMessages($0).closed }
        let (head, messages, closed) = channelMessages(bytes)
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 101"), head)
        XCTAssertTrue(head.contains("Sec-WebSocket-Protocol: v5.channel.k8s.io"), head)
        XCTAssertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), head)
        XCTAssertTrue(closed)
        XCTAssertEqual(messages.first.map { $0.0 }, 1, "an empty stdout message first says the streams are up")
        XCTAssertEqual(messages.filter { $0.0 == 1 }.map { $0.1 }.joined(), "got-hello\n")
        XCTAssertEqual(messages.filter { $0.0 == 2 }.map { $0.1 }.joined(), "oops\n")
        let status = messages.first(where: { $0.0 == 3 }).map { $0.1 } ?? ""
        XCTAssertTrue(status.contains("\"reason\":\"NonZeroExitCode\""), status)
        XCTAssertTrue(status.contains("\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]"), status)
        let pong = bytes.firstRange(of: [0x8A, 1, 7]) != nil
        XCTAssertTrue(pong, "ping answered with its payload")
    }

    func testExecRefusals() async throws {
        var d = FakeDirectory()
        d.target = nil
        let (ch, port) = try await serve(d)
        defer { ch.close(promise: nil) }
        let admin = try pki.client("admin", ["system:masters"])
        let c = try await RawClient(group: group, port: port, tls: admin)
        try await c.send(upgradeRequest("/exec/default/web/app?command=sh&output=1"))
        let notRunning = try await c.text()
        XCTAssertTrue(notRunning.hasPrefix("HTTP/1.1 400") && notRunning.contains("is not running"), notRunning)
        let c2 = try await RawClient(group: group, port: port, tls: admin)
        try await c2.send(upgradeRequest("/exec/default/web/app?output=1"))
        let noCommand = try await c2.text()
        XCTAssertTrue(noCommand.hasPrefix("HTTP/1.1 400") && noCommand.contains("at least one command"), noCommand)
    }
}
