import XCTest
import EdgeRuntime
import NIOCore
import NIOPosix
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// Root-only: `exec -it` over the agent API into a real busybox container,
/// through the real launcher: the pty master read and written by the session,
/// resize on channel 4, exit status on channel 3.
final class ExecSessionTerminalTests: XCTestCase {
    func testInteractiveTerminalIntoARealContainer() async throws {
        try XCTSkipUnless(geteuid() == 0, "the runtime needs root")
        try XCTSkipUnless(access("/bin/busybox", X_OK) == 0, "needs busybox-static")
        var template = Array("/tmp/edgectl-rootfs-XXXXXX".utf8CString)
        let rootfs = String(cString: mkdtemp(&template))
        defer { _ = system("rm -rf \(rootfs)") }
        chmod(rootfs, 0o755)
        XCTAssertEqual(system("mkdir -p \(rootfs)/bin \(rootfs)/proc \(rootfs)/dev \(rootfs)/sys \(rootfs)/tmp && cp /bin/busybox \(rootfs)/bin/ && for a in $(/bin/busybox --list); do [ $a = busybox ] || ln -sf busybox \(rootfs)/bin/$a; done"), 0)
        let pid = try ContainerRunner.start(ContainerSpec(rootfs: rootfs, args: ["sh", "-c", "exec sleep 60"], hostname: "boxy"))
        defer { kill(pid, SIGKILL); _ = ContainerRunner.wait(pid) }

        var d = FakeDirectory()
        d.running = true
        d.target = ExecTarget(pid: pid, capabilities: ContainerSpec.defaultCapabilities, env: ["PATH=/bin", "TERM=dumb"])
        let group = MultiThreadedEventLoopGroup.singleton
        let pki = try TestPKI()
        let tls = try AgentAPIServer.tlsConfiguration(clientCAPEM: pki.caCert, nodeName: "n", addresses: ["127.0.0.1"])
        let server = try await AgentAPIServer(directory: d, tls: tls, host: "127.0.0.1", port: 0).start(group: group)
        defer { server.close(promise: nil) }
        let c = try await RawClient(group: group, port: server.localAddress!.port!, tls: try pki.client("admin", ["system:masters"]))
        try await c.send(upgradeRequest("/exec/default/web/app?command=sh&input=1&output=1&tty=1"))
        _ = try await c.text(until: "\r\n\r\n")
        try await c.send(clientFrame(4, Array("{\"Width\":120,\"Height\":33}".utf8)))
        try await c.send(clientFrame(0, Array("hostname; tty; stty size; exit 5\n".utf8)))
        let bytes = try await c.receive { channelMessages($0).closed }
        let (_, messages, closed) = channelMessages(bytes)
        XCTAssertTrue(closed)
        let out = messages.filter { $0.0 == 1 }.map { $0.1 }.joined()
        XCTAssertTrue(out.contains("boxy"), out)
        XCTAssertTrue(out.contains("/dev/pts/0"), out)
        XCTAssertTrue(out.contains("33 120"), out)
        let status = messages.first(where: { $0.0 == 3 }).map { $0.1 } ?? ""
        XCTAssertTrue(status.contains("\"message\":\"5\""), status)
    }
}
