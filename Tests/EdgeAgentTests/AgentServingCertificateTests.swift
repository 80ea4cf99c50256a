import XCTest
import EdgeAPI
import EdgeTLS
import EdgeTestSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization
@testable import EdgeAgent

/// The agent API's own serving certificate, renewed while the agent runs:
/// real certificates with lifetimes of seconds, served over TLS on loopback.
final class AgentServingCertificateTests: XCTestCase {
    struct RenewalRefused: Error, CustomStringConvertible {
        var description: String { "the test refuses this renewal" }
    }

    /// What the renewal hook saw: when it ran, and whether it let the renewal go on.
    final class Hook: Sendable {
        let calls = Mutex<[Int64]>([])
        let refusals = Mutex(0)
        let refusing: Mutex<Bool>

        init(refusing: Bool) { self.refusing = Mutex(refusing) }

        func call() throws {
            calls.withLock { $0.append(Timestamp.now().seconds) }
            if refusing.withLock({ $0 }) {
                refusals.withLock { $0 += 1 }
                throw RenewalRefused()
            }
        }
    }

    final class Flag: Sendable {
        let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    var group: MultiThreadedEventLoopGroup!
    var pki: TestPKI!

    override func setUpWithError() throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pki = try TestPKI()
    }

    override func tearDown() {
        try? group.syncShutdownGracefully()
    }

    /// A certificate lasting `seconds`. The lifetime is not stretched under qemu-user: only the
    /// give-up deadlines are (`waitFor`), so a slow machine waits longer for a failure but not
    /// for a renewal that happens on time. Keys and client configurations are made before the
    /// clock starts, so only a TLS handshake has to fit before the renewal point.
    func shortLived(_ seconds: Int64) -> CertificateValidity {
        CertificateValidity(backdateSeconds: 0, expiresAfterSeconds: seconds)
    }

    func makeServing(validity: CertificateValidity, hook: Hook, log: RecordingLogHandler.Lines) throws -> AgentServingCertificate {
        try AgentServingCertificate(clientCAPEM: pki.caCert, nodeName: "node-a", addresses: ["127.0.0.1"], validity: validity,
                                    logger: RecordingLogHandler.logger(log), firstRetry: .milliseconds(200), longestRetry: .seconds(1),
                                    beforeRenewal: { try hook.call() })
    }

    func serve(_ serving: AgentServingCertificate) async throws -> (Channel, Int) {
        let server = AgentAPIServer(directory: FakeDirectory(), serving: serving, host: "127.0.0.1", port: 0)
        let ch = try await server.start(group: group)
        return (ch, ch.localAddress!.port!)
    }

    /// Runs the renewals in a task; the flag is set once `run` returns.
    func startRenewing(_ serving: AgentServingCertificate) -> (Task<Void, Never>, Flag) {
        let ended = Flag()
        let task = Task { await serving.run(); ended.set() }
        return (task, ended)
    }

    func stop(_ task: Task<Void, Never>, _ ended: Flag) async throws {
        task.cancel()
        try await eventually("the renewal task ends when cancelled", within: .seconds(10)) { ended.isSet }
    }

    /// A client certificate of the cluster CA with the API server's kubelet-client identity.
    func kubeletClient(trusting serverCA: String?) throws -> TLSConfiguration {
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: pki.caCert, caKeyPEM: pki.caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: "kube-apiserver-kubelet-client"), usage: .clientAuth)
        return try TLSConfiguration.client(trustedCAPEM: serverCA, certificatePEM: cert, keyPEM: key)
    }

    func pemText(_ s: String) -> String { String(s.filter { !$0.isWhitespace }) }

    func assertServes(_ chain: String?, _ issued: AgentServingCertificate.Issued, _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        guard let chain else { return XCTFail("\(what): no TLS handshake", file: file, line: line) }
        if pemText(chain) != pemText(issued.certificatePEM + issued.caCertificatePEM) {
            let served = (try? PKI.inspectCertificate(chain)).map { "notAfter \($0.notAfter)" } ?? "unreadable"
            XCTFail("\(what): served a certificate with \(served), expected the one with notAfter \(issued.notAfter)", file: file, line: line)
        }
    }

    func healthz(_ client: RawClient) async throws -> String {
        try await client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return try await client.text()
    }

    func testShortLivedCertificateIsRenewedBeforeItExpiresAndNewConnectionsGetIt() async throws {
        let log = RecordingLogHandler.Lines()
        let hook = Hook(refusing: false)
        let earlyTLS = try kubeletClient(trusting: nil)
        let serving = try makeServing(validity: shortLived(12), hook: hook, log: log)
        let first = serving.currentCertificate
        let due = serving.renewalDeadline
        XCTAssertEqual(due, first.notBefore + (first.notAfter - first.notBefore) * 8 / 10, "renewed at 80% of its lifetime")
        let (ch, port) = try await serve(serving)
        defer { ch.close(promise: nil) }

        // A connection made before the renewal, still open after it.
        let early = try await RawClient(group: group, port: port, tls: earlyTLS)
        XCTAssertLessThan(Timestamp.now().seconds, due, "the first connection was made before the renewal point")
        assertServes(try await early.serverChain(), first, "a connection presents the certificate in use when it starts")

        let (task, ended) = startRenewing(serving)
        let lifetime = Int(first.notAfter - first.notBefore)
        try await eventually("a new certificate", within: .seconds(lifetime * 3)) {
            serving.currentCertificate.certificatePEM != first.certificatePEM
        }
        let second = serving.currentCertificate
        let renewedAt = try XCTUnwrap(hook.calls.withLock { $0.first })
        XCTAssertGreaterThanOrEqual(renewedAt, due, "not renewed before its renewal point")
        XCTAssertLessThan(renewedAt, first.notAfter, "renewed before the old certificate expired")
        XCTAssertGreaterThan(second.notAfter, first.notAfter)
        XCTAssertEqual(second.caCertificatePEM, first.caCertificatePEM, "the node's CA is kept, so whoever trusts it still does")
        XCTAssertGreaterThanOrEqual(log.count(.info, containing: "renewed the agent API serving certificate"), 1, "\(log.all)")

        // A new connection sees the new certificate, and the cluster CA still decides who gets in.
        let late = try await RawClient(group: group, port: port, tls: try kubeletClient(trusting: nil))
        assertServes(try await late.serverChain(), second, "a connection made after the renewal gets the new certificate")
        let ok = try await healthz(late)
        XCTAssertTrue(ok.hasPrefix("HTTP/1.1 200"), ok)
        let stranger = try await RawClient(group: group, port: port, tls: try TestPKI().client("kube-apiserver-kubelet-client"))
        let refused = try await healthz(stranger)
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 401"), "a client certificate from another CA is still no identity: \(refused)")

        // A client that verifies the agent (trusting the node's CA) accepts the renewed certificate.
        let verifying = try await RawClient(group: group, port: port, tls: try kubeletClient(trusting: first.caCertificatePEM))
        let verified = try await healthz(verifying)
        XCTAssertTrue(verified.hasPrefix("HTTP/1.1 200"), "a verifying client accepts the renewed certificate: \(verified)")

        // The connection from before the renewal kept its session and still works.
        let earlyAnswer = try await healthz(early)
        XCTAssertTrue(earlyAnswer.hasPrefix("HTTP/1.1 200"), earlyAnswer)

        try await stop(task, ended)
    }

    func testFailedRenewalKeepsTheCurrentCertificateAndIsRetried() async throws {
        let log = RecordingLogHandler.Lines()
        let hook = Hook(refusing: true)
        let serving = try makeServing(validity: shortLived(4), hook: hook, log: log)
        let first = serving.currentCertificate
        let (ch, port) = try await serve(serving)
        defer { ch.close(promise: nil) }
        let (task, ended) = startRenewing(serving)
        let lifetime = Int(first.notAfter - first.notBefore)

        try await eventually("two refused renewals", within: .seconds(lifetime * 3 + 10)) { hook.refusals.withLock { $0 } >= 2 }
        XCTAssertEqual(serving.currentCertificate.certificatePEM, first.certificatePEM, "a failed renewal keeps the current certificate")
        let during = try await RawClient(group: group, port: port, tls: try kubeletClient(trusting: nil))
        assertServes(try await during.serverChain(), first, "still served while renewals fail")
        let ok = try await healthz(during)
        XCTAssertTrue(ok.hasPrefix("HTTP/1.1 200"), ok)

        hook.refusing.withLock { $0 = false }
        try await eventually("a renewal once the failures stop", within: .seconds(30)) {
            serving.currentCertificate.certificatePEM != first.certificatePEM
        }
        let renewed = serving.currentCertificate
        let after = try await RawClient(group: group, port: port, tls: try kubeletClient(trusting: nil))
        assertServes(try await after.serverChain(), renewed, "the retried renewal is served")
        try await stop(task, ended)

        let refusals = hook.refusals.withLock { $0 }
        XCTAssertEqual(log.count(.warning, containing: "cannot renew the agent API serving certificate: the test refuses this renewal"),
                       refusals, "each failed attempt is logged once: \(log.all)")
        XCTAssertEqual(log.count(.info, containing: "renewed the agent API serving certificate"), 1, "\(log.all)")
    }

    func testDueAtItsRenewalPointOrWhenTheClockWasSetBack() throws {
        let serving = try makeServing(validity: shortLived(100), hook: Hook(refusing: false), log: RecordingLogHandler.Lines())
        let c = serving.currentCertificate
        let due = serving.renewalDeadline
        XCTAssertFalse(serving.isDue(at: c.notBefore))
        XCTAssertFalse(serving.isDue(at: due - 1))
        XCTAssertTrue(serving.isDue(at: due))
        XCTAssertTrue(serving.isDue(at: c.notAfter + 1))
        XCTAssertTrue(serving.isDue(at: c.notBefore - 1), "a certificate not valid yet (clock set back) is replaced at once")
    }

    func testALifetimeTooShortToRenewAheadIsRefused() {
        let tooShort = CertificateValidity(backdateSeconds: 300, expiresAfterSeconds: 10)
        XCTAssertThrowsError(try makeServing(validity: tooShort, hook: Hook(refusing: false), log: RecordingLogHandler.Lines())) { error in
            XCTAssertTrue("\(error)".contains("due for renewal at once"), "\(error)")
        }
    }

    func testRenewalStopsWhenTheAgentStops() async throws {
        let log = RecordingLogHandler.Lines()
        let hook = Hook(refusing: false)
        let serving = try makeServing(validity: AgentServingCertificate.defaultValidity, hook: hook, log: log)
        let first = serving.currentCertificate
        XCTAssertEqual(first.notAfter - first.notBefore, 365 * 86_400, "a year, as kubelet's own certificate")
        let (task, ended) = startRenewing(serving)
        try await eventually("the task says when it renews", within: .seconds(10)) { log.count(.info, containing: "renewing it after") == 1 }
        try await stop(task, ended)
        XCTAssertTrue(hook.calls.withLock { $0.isEmpty }, "nothing renewed a certificate with a year left")
        XCTAssertEqual(serving.currentCertificate.certificatePEM, first.certificatePEM)
    }
}
