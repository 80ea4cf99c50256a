import EdgeAgent
import EdgeAPI
import EdgeClient
import EdgeTLS
import NIOPosix

/// The join steps, in an order that keeps the token safe: read the public
/// cluster-info over an unverified connection, check the CA in it against
/// --ca-cert-hash, and only then, over a connection that verifies the server
/// with that CA, present the token with a certificate request for this node.
struct JoinFlow {
    let server: String
    let token: String
    let caCertHash: String
    let dataDir: String
    let nodeName: String

    struct Failure: Error, CustomStringConvertible { let description: String }

    static let configMaps = BuiltinResources.configMaps
    static let nodes = BuiltinResources.nodes

    static func validToken(_ t: String) -> Bool { BootstrapToken(t) != nil }

    static func validHash(_ h: String) -> Bool {
        let lower = h.lowercased()
        return lower.hasPrefix("sha256:") && lower.count == 71 && lower.dropFirst(7).allSatisfy { $0.isHexDigit }
    }

    /// Returns the directory holding the node's credentials.
    func run() async throws -> String {
        let caPEM = try await discoverCA()
        try await checkNodeName(caPEM: caPEM)
        let credentials = try await requestCertificate(caPEM: caPEM)
        try NodeCredentialFiles(dataDir: dataDir, server: server, caPEM: caPEM, nodeName: nodeName).write(credentials)
        return dataDir
    }

    func transport(_ tls: TLSConfiguration) throws -> HTTPSTransport {
        try HTTPSTransport(server: server, tls: tls, group: MultiThreadedEventLoopGroup.singleton)
    }

    func unreachable(_ error: Error) -> Failure {
        Failure(description: "cannot reach \(server): \(error). Check the address and that port 6443 on the server is open to this machine.")
    }

    /// cluster-info without credentials and without trusting the server yet.
    func discoverCA() async throws -> String {
        let anonymous = APIClient(transport: try transport(try TLSConfiguration.client(trustedCAPEM: nil)), userAgent: "edgectl-join")
        let cm: JSON
        do {
            cm = try await anonymous.get(Self.configMaps, namespace: "kube-public", name: "cluster-info")
        } catch let e as APIError {
            throw Failure(description: "\(server) did not serve kube-public/cluster-info (\(e.code) \(e.message)): is it an edgectl server?")
        } catch {
            throw unreachable(error)
        }
        guard let text = cm[path: ["data", "kubeconfig"]]?.string, let info = try? KubeconfigFile(text: text, source: "cluster-info") else {
            throw Failure(description: "\(server) served a cluster-info without a usable kubeconfig")
        }
        let actual = try PKI.caCertHash(info.caPEM)
        guard actual == caCertHash else {
            throw Failure(description: "the server's CA does not match --ca-cert-hash: it has \(actual), you expected \(caCertHash); "
                + "no credentials were sent. Copy the hash again from `edgectl token create` on the server; "
                + "if it still differs, \(server) is not your cluster's server.")
        }
        return info.caPEM
    }

    /// kubeadm join's check, made before a key is generated or the token used for a request:
    /// two machines under one name would overwrite each other's Node and pods, and the server
    /// refuses a certificate for a name a Node already has. A server that does not let the
    /// token read Nodes is no bar here (its certificate signer still says no).
    func checkNodeName(caPEM: String) async throws {
        let client = APIClient(transport: try transport(try TLSConfiguration.client(trustedCAPEM: caPEM)), userAgent: "edgectl-join", bearerToken: token)
        guard let node = try? await client.getIfExists(Self.nodes, namespace: nil, name: nodeName) else { return }
        let state = NodeMatching.isReady(node) ? "and is Ready" : "(not Ready)"
        throw Failure(description: "preflight checks failed:\n  [error NodeName]: a Node named \(nodeName) already exists in the cluster \(state)\n"
            + "    fix: give this machine another name (--node-name, or its hostname), or if it replaces that machine, "
            + "delete the old Node first (kubectl delete node \(nodeName))")
    }

    /// A fresh key and a CSR for system:node:<name>, submitted with the token; waits for the signed certificate.
    func requestCertificate(caPEM: String) async throws -> NodeClientCredentials {
        let client = APIClient(transport: try transport(try TLSConfiguration.client(trustedCAPEM: caPEM)), userAgent: "edgectl-join", bearerToken: token)
        let request = try NodeCertificateRequest(nodeName: nodeName)
        let name: String
        do {
            name = try await request.submit(client)
        } catch let e as APIError where e.code == 401 {
            throw Failure(description: "the server rejected the token: it is wrong, expired or deleted. "
                + "Create a new one on the server with `edgectl token create` (`edgectl token list` shows which exist and when they expire).")
        } catch let e as APIError {
            throw Failure(description: "the server refused the certificate request: \(e.code) \(e.message)")
        } catch {
            throw unreachable(error)
        }
        do {
            return try await request.waitForCertificate(client, name: name, timeout: .seconds(60), interval: .milliseconds(250))
        } catch let e as NodeCertificateRequest.Failure {
            throw Failure(description: e.description)
        }
    }
}
