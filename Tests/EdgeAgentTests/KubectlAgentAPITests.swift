import XCTest
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl against the proxy: `kubectl logs` and `kubectl exec`
/// (WebSocket v5) through the API server to an agent over TLS. Skipped where
/// kubectl is not installed (scripts/install-deps puts it in Python's scripts dir).
final class KubectlAgentAPITests: NodeProxyTests {
    static let kubectl: String? = {
        for dir in ["/root/.pyenv/versions/3.11.7/bin", "/usr/local/bin", "/usr/bin"] where access(dir + "/kubectl", X_OK) == 0 { return dir + "/kubectl" }
        return nil
    }()

    /// Runs kubectl; returns (exit code, stdout+stderr).
    func kubectl(_ port: Int, _ args: String) -> (Int32, String) {
        let out = "/tmp/edgectl-kubectl-\(getpid()).out"
        defer { unlink(out) }
        let rc = system("\(Self.kubectl!) --server http://127.0.0.1:\(port) \(args) > \(out) 2>&1")
        let f = fopen(out, "r")
        var text = ""
        var buf = [CChar](repeating: 0, count: 4096)
        while let f, fgets(&buf, 4096, f) != nil { text += buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
        if let f { fclose(f) }
        return ((rc >> 8) & 0xff, text)
    }

    func testKubectlLogsAndExec() async throws {
        try XCTSkipUnless(Self.kubectl != nil, "needs kubectl")
        let (_, port) = try await cluster()
        let stdinFile = "/tmp/edgectl-kubectl-stdin-\(getpid())"
        defer { unlink(stdinFile) }
        _ = system("echo hello > \(stdinFile)")
        let (rc1, logs) = kubectl(port, "logs web --tail=1")
        XCTAssertEqual(rc1, 0, logs)
        XCTAssertEqual(logs, "second\n")
        let (rc2, wrong) = kubectl(port, "logs web -c db")
        XCTAssertNotEqual(rc2, 0)
        XCTAssertTrue(wrong.contains("container db is not valid for pod web"), wrong)
        let (rc3, exec) = kubectl(port, "exec web -- /bin/sh -c 'echo out; echo err >&2; exit 3'")
        XCTAssertEqual(rc3, 3, "kubectl exits with the command's code: \(exec)")
        XCTAssertTrue(exec.contains("out\n") && exec.contains("err\n"), exec)
        let (rc4, piped) = kubectl(port, "exec -i web -- /bin/sh -c 'read x; echo got-$x' < /tmp/edgectl-kubectl-stdin-\(getpid())")
        XCTAssertEqual(rc4, 0, piped)
        XCTAssertEqual(piped, "got-hello\n")
    }

    // The inherited tests already ran in NodeProxyTests.
    override func testLogsAreProxiedWithUpstreamsContainerRules() async throws {}
    override func testExecIsTunnelledThroughTheHTTPServer() async throws {}
}
