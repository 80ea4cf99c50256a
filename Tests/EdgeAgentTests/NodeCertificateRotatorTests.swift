import XCTest
import EdgeTestSupport
import Synchronization
import EdgeAPI
import EdgeAPIServer
import EdgeClient
import EdgeInProcess
import EdgeTLS
@testable import EdgeAgent

/// Records what the rotator installs; fails the first `failures` installs.
final class RecordingInstaller: NodeCredentialInstaller {
    let installed = Mutex<[NodeClientCredentials]>([])
    let failures = Mutex(0)
    init(failing: Int = 0) { failures.withLock { $0 = failing } }
    func install(_ credentials: NodeClientCredentials) throws {
        let fail = failures.withLock { n -> Bool in
            defer { n -= 1 }
            return n > 0
        }
        if fail { throw NodeCertificateRequest.Failure(description: "disk full (test)") }
        installed.withLock { $0.append(credentials) }
    }
}

final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

final class NodeCertificateRotatorTests: XCTestCase {
    static let csrs = NodeCertificateRequest.csrs
    static let caKey = try! PKI.generateKey()
    static let caCert = try! PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
    static let node = UserInfo(name: "system:node:pi-7", groups: ["system:nodes", "system:authenticated"])

    /// A certificate for pi-7 whose renewal is already due (valid since 1000 s ago, expiring in 60: 94% through).
    func dueCredentials() throws -> NodeClientCredentials {
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: Self.caCert, caKeyPEM: Self.caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: "system:node:pi-7", organizations: ["system:nodes"]),
                                           usage: .clientAuth, validity: CertificateValidity(backdateSeconds: 1000, expiresAfterSeconds: 60))
        return NodeClientCredentials(keyPEM: key, certificatePEM: cert)
    }

    /// Stands in for the approver and signer: denies the first `deny` requests, approves and signs the rest for a year.
    static func approver(_ admin: APIClient, deny: Int) -> Task<Void, Never> {
        Task {
            var denied = 0
            var seen: Set<String> = []
            while !Task.isCancelled {
                for csr in await pending(admin) {
                    let name = csr[path: ["metadata", "name"]]?.string ?? ""
                    if seen.contains(name) { continue }
                    seen.insert(name)
                    let approve = denied >= deny
                    if !approve { denied += 1 }
                    try? await Self.decide(csr, approve: approve, admin)
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func pending(_ admin: APIClient) async -> [JSON] {
        do { return try await admin.list(csrs).items } catch { return [] }
    }

    static func decide(_ csr: JSON, approve: Bool, _ admin: APIClient) async throws {
        var u = csr
        u[path: ["status", "conditions"]] = [["type": .string(approve ? "Approved" : "Denied"), "status": "True", "reason": "Test",
                                              "message": "decided by the test"]]
        var signed = try await admin.update(csrs, u, subresource: "approval")
        guard approve else { return }
        let pem = String(decoding: Base64.decode(csr[path: ["spec", "request"]]?.string ?? "") ?? [], as: UTF8.self)
        let info = try PKI.inspectCSR(pem)
        let cert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: info.publicKeyPEM, subject: info.subject,
                                           usage: .clientAuth, days: 365)
        signed[path: ["status", "certificate"]] = .string(Base64.encode(cert))
        _ = try await admin.updateStatus(csrs, signed)
    }

    func testRenewsWithTheNodesIdentityRetryingAfterADenialAndAFailedInstall() async throws {
        let cluster = try await LocalCluster()
        let signer = Self.approver(cluster.client, deny: 1)
        defer { signer.cancel() }
        let installer = RecordingInstaller(failing: 1)
        let log = LogLines()
        let old = try dueCredentials()
        let rotator = NodeCertificateRotator(client: APIClient(transport: InProcessTransport.make(cluster.service, user: Self.node)),
                                             nodeName: "pi-7", current: old, installer: installer,
                                             approvalTimeout: .seconds(5), pollInterval: .milliseconds(20), log: log.add)
        let task = Task { await rotator.run() }
        defer { task.cancel() }
        // Denied (retry after 2 s), then signed but not installable (retry after 4 s), then installed.
        try await eventually("a renewed certificate installed", within: .seconds(15)) { !installer.installed.withLock { $0.isEmpty } }
        guard let fresh = installer.installed.withLock({ $0.first }) else { return XCTFail("nothing installed; log: \(log.all)") }
        XCTAssertNotEqual(fresh.keyPEM, old.keyPEM, "a fresh key for every renewal")
        XCTAssertEqual(try PKI.inspectCertificate(fresh.certificatePEM).subject,
                       CertificateSubject(commonName: "system:node:pi-7", organizations: ["system:nodes"]))

        let requests = try await cluster.client.list(Self.csrs).items
        XCTAssertEqual(requests.count, 3)
        for r in requests {
            XCTAssertEqual(r[path: ["spec", "username"]]?.string, "system:node:pi-7", "requested with the node's own identity")
            XCTAssertEqual(r[path: ["spec", "signerName"]]?.string, "kubernetes.io/kube-apiserver-client-kubelet")
            XCTAssertEqual(r[path: ["spec", "usages"]], ["digital signature", "client auth"])
        }
        let lines = log.all
        XCTAssertTrue(lines.contains { $0.contains("failed to renew") && $0.contains("denied") && $0.contains("still using the current one") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("failed to renew") && $0.contains("disk full (test)") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("now using the renewed client certificate") }, "\(lines)")
        // The new year-long certificate is not due: no further requests.
        try await Task.sleep(for: .milliseconds(300))
        let after = try await cluster.client.list(Self.csrs).items.count
        XCTAssertEqual(after, 3)
        XCTAssertEqual(installer.installed.withLock { $0.count }, 1)
    }

    func testACertificateForAnotherNameIsNeverInstalled() async throws {
        let request = try NodeCertificateRequest(nodeName: "pi-7")
        let otherKey = try PKI.generateKey()
        let other = try PKI.signCertificate(caCertPEM: Self.caCert, caKeyPEM: Self.caKey, subjectKeyPEM: otherKey,
                                            subject: CertificateSubject(commonName: "system:node:pi-8", organizations: ["system:nodes"]),
                                            usage: .clientAuth, days: 1)
        XCTAssertThrowsError(try request.check(other, name: "node-csr-x")) { error in
            XCTAssertTrue("\(error)".contains("not CN=system:node:pi-7"), "\(error)")
        }
    }
}
