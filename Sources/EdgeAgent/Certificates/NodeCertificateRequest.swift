import EdgeAPI
import EdgeClient
import EdgeTLS

/// One request for a node client certificate through certificates.k8s.io:
/// a fresh key, a CSR for CN=system:node:NAME, O=system:nodes with the
/// kubelet client signer, and the wait for it to be approved and signed.
/// Used by `edgectl join` (with the bootstrap token) and by renewal (with the
/// node's current certificate); who submits decides how it is approved.
public struct NodeCertificateRequest: Sendable {
    public static let csrs = BuiltinResources.certificateSigningRequests
    public static let signerName = "kubernetes.io/kube-apiserver-client-kubelet"
    /// What upstream kubelet asks for with an ECDSA key (key encipherment is for RSA keys).
    public static let usages = ["digital signature", "client auth"]

    public let nodeName: String
    public let keyPEM: String
    public let requestPEM: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(nodeName: String) throws {
        self.nodeName = nodeName
        keyPEM = try PKI.generateKey()
        requestPEM = try PKI.makeCSR(keyPEM: keyPEM, subject: Self.subject(nodeName))
    }

    static func subject(_ nodeName: String) -> CertificateSubject {
        CertificateSubject(commonName: "system:node:" + nodeName, organizations: ["system:nodes"])
    }

    public var object: JSON {
        ["apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["generateName": "node-csr-"],
         "spec": ["request": .string(Base64.encode(requestPEM)), "signerName": .string(Self.signerName),
                  "usages": .array(Self.usages.map { .string($0) })]]
    }

    /// Creates the CertificateSigningRequest; returns its name. API errors pass through for the caller to explain.
    public func submit(_ client: APIClient) async throws -> String {
        let created = try await client.create(Self.csrs, namespace: nil, object)
        return created[path: ["metadata", "name"]]?.string ?? ""
    }

    /// Polls the request until it carries a certificate, which is checked to
    /// name this node; throws Failure when it is denied, fails or times out.
    public func waitForCertificate(_ client: APIClient, name: String, timeout: Duration, interval: Duration) async throws -> NodeClientCredentials {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while true {
            let current = try await client.get(Self.csrs, namespace: nil, name: name)
            if let cert = current[path: ["status", "certificate"]]?.string.flatMap(Base64.decode) {
                return try check(String(decoding: cert, as: UTF8.self), name: name)
            }
            if let c = (current[path: ["status", "conditions"]]?.array ?? []).first(where: { ["Denied", "Failed"].contains($0["type"]?.string ?? "") }) {
                throw Failure(description: "the server \(c["type"]?.string == "Denied" ? "denied" : "failed") this node's certificate request \(name): "
                              + (c["message"]?.string ?? c["reason"]?.string ?? ""))
            }
            guard clock.now < end else {
                throw Failure(description: "certificate request \(name) was not approved within \(timeout.components.seconds) s: approve it with `kubectl certificate approve \(name)`")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// The issued certificate must be for this node: never install someone else's identity.
    func check(_ certificatePEM: String, name: String) throws -> NodeClientCredentials {
        let info: PKI.CertificateInfo
        do { info = try PKI.inspectCertificate(certificatePEM) } catch {
            throw Failure(description: "certificate request \(name) was issued a certificate that does not parse: \(error)")
        }
        guard info.subject == Self.subject(nodeName) else {
            throw Failure(description: "certificate request \(name) was issued a certificate for CN=\(info.subject.commonName) O=\(info.subject.organizations), "
                          + "not CN=system:node:\(nodeName) O=[system:nodes]")
        }
        return NodeClientCredentials(keyPEM: keyPEM, certificatePEM: certificatePEM)
    }
}
