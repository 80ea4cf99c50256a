import XCTest
import EdgeAPI
import EdgeAPIServer
import EdgeTLS
@testable import EdgeControllers

extension ClusterCertificateAuthority: CertificateAuthority {}

final class CSRControllerTests: XCTestCase {
    static let csrs = BuiltinResources.certificateSigningRequests
    static let caKey = try! PKI.generateKey()
    static let ca = ClusterCertificateAuthority(caCertPEM: try! PKI.makeCA(keyPEM: caKey, commonName: "test-ca"), caKeyPEM: caKey)
    static let bootstrapper = UserInfo(name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"])

    func csr(_ name: String, cn: String, orgs: [String] = ["system:nodes"], usages: JSON = ["digital signature", "client auth"],
             signer: String = "kubernetes.io/kube-apiserver-client-kubelet") throws -> JSON {
        let pem = try PKI.makeCSR(keyPEM: try PKI.generateKey(), subject: CertificateSubject(commonName: cn, organizations: orgs))
        return ["apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["name": .string(name)],
                "spec": ["request": .string(Base64.encode(pem)), "signerName": .string(signer), "usages": usages,
                         "username": "forged-admin", "groups": ["system:masters"]]]
    }

    func cluster() async throws -> TestCluster {
        let c = try await TestCluster([CSRApprovingController(ca: Self.ca), CSRSigningController(ca: Self.ca)])
        c.start()
        return c
    }

    func condition(_ obj: JSON) -> String? { obj[path: ["status", "conditions"]]?.array?.last?["type"]?.string }

    func testBootstrapperNodeClientRequestIsApprovedAndSigned() async throws {
        let c = try await cluster()
        defer { c.stop() }
        let boot = c.client(as: Self.bootstrapper)
        let created = try await boot.create(Self.csrs, namespace: nil, try csr("node-a", cn: "system:node:pi-1"))
        XCTAssertEqual(created[path: ["spec", "username"]]?.string, "system:bootstrap:abcdef", "identity comes from authentication, not the body")
        XCTAssertEqual(created[path: ["spec", "groups"]], ["system:bootstrappers", "system:authenticated"])
        try await c.eventually("certificate issued") {
            try await boot.get(Self.csrs, namespace: nil, name: "node-a")[path: ["status", "certificate"]] != nil
        }
        let done = try await boot.get(Self.csrs, namespace: nil, name: "node-a")
        XCTAssertEqual(condition(done), "Approved")
        let pem = String(decoding: Base64.decode(done[path: ["status", "certificate"]]!.string!)!, as: UTF8.self)
        let info = try PKI.inspectCertificate(pem)
        XCTAssertEqual(info.subject, CertificateSubject(commonName: "system:node:pi-1", organizations: ["system:nodes"]))
        XCTAssertGreaterThan(info.notAfter, Timestamp.now().seconds + 300 * 86400)
        // The bootstrapper may not touch anything else.
        do {
            _ = try await boot.list(BuiltinResources.secrets, namespace: "kube-system")
            XCTFail("bootstrapper listed secrets")
        } catch let e as APIError { XCTAssertEqual(e.code, 403) }
    }

    func testRequestsOutsideTheNodeRulesAreLeftForAnAdmin() async throws {
        let c = try await cluster()
        defer { c.stop() }
        let boot = c.client(as: Self.bootstrapper)
        _ = try await boot.create(Self.csrs, namespace: nil, try csr("wrong-org", cn: "system:node:pi-2", orgs: ["system:masters"]))
        _ = try await boot.create(Self.csrs, namespace: nil, try csr("server-use", cn: "system:node:pi-2", usages: ["digital signature", "server auth"]))
        _ = try await c.client.create(Self.csrs, namespace: nil, try csr("admin-made", cn: "system:node:pi-2"))
        try await Task.sleep(for: .milliseconds(300))
        for name in ["wrong-org", "server-use", "admin-made"] {
            let obj = try await c.client.get(Self.csrs, namespace: nil, name: name)
            XCTAssertNil(condition(obj), "\(name) is not auto-approved")
        }
        // An admin approves by hand (kubectl certificate approve): then it is signed.
        var manual = try await c.client.get(Self.csrs, namespace: nil, name: "admin-made")
        manual[path: ["status", "conditions"]] = [["type": "Approved", "status": "True", "reason": "KubectlApprove", "message": "ok"]]
        _ = try await c.client.update(Self.csrs, manual, subresource: "approval")
        try await c.eventually("signed after manual approval") {
            try await c.client.get(Self.csrs, namespace: nil, name: "admin-made")[path: ["status", "certificate"]] != nil
        }
    }

    func testExistingNodeNameCannotBeTakenOver() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(BuiltinResources.nodes, namespace: nil, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "pi-3"]])
        try await Task.sleep(for: .milliseconds(100))
        let boot = c.client(as: Self.bootstrapper)
        _ = try await boot.create(Self.csrs, namespace: nil, try csr("takeover", cn: "system:node:pi-3"))
        try await c.eventually("denied") { self.condition(try await c.client.get(Self.csrs, namespace: nil, name: "takeover")) == "Denied" }
        let obj = try await c.client.get(Self.csrs, namespace: nil, name: "takeover")
        XCTAssertNil(obj[path: ["status", "certificate"]])
        XCTAssertTrue(obj[path: ["status", "conditions"]]?.array?.last?["message"]?.string?.contains("kubectl delete node pi-3") ?? false)
        // The node itself renewing its certificate is fine; an admin-made request claiming to be it is not auto-approved.
        let node = c.client(as: UserInfo(name: "system:node:pi-3", groups: ["system:nodes", "system:authenticated"]))
        _ = try await node.create(Self.csrs, namespace: nil, try csr("renewal", cn: "system:node:pi-3"))
        try await c.eventually("renewal approved") {
            try await c.client.get(Self.csrs, namespace: nil, name: "renewal")[path: ["status", "certificate"]] != nil
        }
        var claim = try csr("claim", cn: "system:node:pi-3")
        claim[path: ["spec", "username"]] = "system:node:pi-3"
        _ = try await c.client.create(Self.csrs, namespace: nil, claim)
        let stored = try await c.client.get(Self.csrs, namespace: nil, name: "claim")
        XCTAssertEqual(stored[path: ["spec", "username"]]?.string, "admin", "the body cannot claim to be the node")
        try await Task.sleep(for: .milliseconds(200))
        let after = try await c.client.get(Self.csrs, namespace: nil, name: "claim")
        XCTAssertNil(condition(after))
    }

    func testANodeCannotGetACertificateForAnotherNodesName() async throws {
        let c = try await cluster()
        defer { c.stop() }
        let node = c.client(as: UserInfo(name: "system:node:pi-4", groups: ["system:nodes", "system:authenticated"]))
        _ = try await node.create(Self.csrs, namespace: nil, try csr("steal", cn: "system:node:pi-5"))
        _ = try await node.create(Self.csrs, namespace: nil, try csr("own", cn: "system:node:pi-4"))
        // Its own renewal, created after, is signed: the controllers have seen both.
        try await c.eventually("own renewal signed") {
            try await c.client.get(Self.csrs, namespace: nil, name: "own")[path: ["status", "certificate"]] != nil
        }
        let steal = try await c.client.get(Self.csrs, namespace: nil, name: "steal")
        XCTAssertNil(condition(steal), "left for an admin, not approved")
        XCTAssertNil(steal[path: ["status", "certificate"]])
    }

    func testNodeClientLifetimeIsTheConfiguredOneAndOtherSignersKeepTheirs() async throws {
        let c = try await TestCluster([CSRApprovingController(ca: Self.ca), CSRSigningController(ca: Self.ca, nodeClientSeconds: 120)])
        c.start()
        defer { c.stop() }
        let node = c.client(as: UserInfo(name: "system:node:pi-6", groups: ["system:nodes", "system:authenticated"]))
        _ = try await node.create(Self.csrs, namespace: nil, try csr("short", cn: "system:node:pi-6"))
        _ = try await c.client.create(Self.csrs, namespace: nil, try csr("user", cn: "jane", orgs: ["dev"], signer: "kubernetes.io/kube-apiserver-client"))
        var user = try await c.client.get(Self.csrs, namespace: nil, name: "user")
        user[path: ["status", "conditions"]] = [["type": "Approved", "status": "True", "reason": "KubectlApprove", "message": "ok"]]
        _ = try await c.client.update(Self.csrs, user, subresource: "approval")
        func notAfter(_ name: String) async throws -> Int64? {
            guard let b64 = try await c.client.get(Self.csrs, namespace: nil, name: name)[path: ["status", "certificate"]]?.string else { return nil }
            return try PKI.inspectCertificate(String(decoding: Base64.decode(b64)!, as: UTF8.self)).notAfter
        }
        try await c.eventually("both signed") {
            let short = try await notAfter("short"), user = try await notAfter("user")
            return short != nil && user != nil
        }
        let now = Timestamp.now().seconds
        let short = try await notAfter("short")!
        XCTAssertTrue((now + 110...now + 121).contains(short), "node certificate ends \(short - now) s from now, not 120")
        let long = try await notAfter("user")!
        XCTAssertGreaterThan(long, now + 300 * 86400)
    }

    func testMalformedRequestsAreRejectedWith422() async throws {
        let c = try await cluster()
        defer { c.stop() }
        var bad = try csr("garbage", cn: "x")
        bad[path: ["spec", "request"]] = .string(Base64.encode("not a pem"))
        bad[path: ["spec", "usages"]] = ["client auth", "teleport"]
        do {
            _ = try await c.client.create(Self.csrs, namespace: nil, bad)
            XCTFail("accepted")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
            XCTAssertEqual(Set(e.details?.causes.map(\.field) ?? []), ["spec.request", "spec.usages[1]"])
        }
    }
}

