import EdgeAPI
import EdgeAPIServer
import EdgeAuth
import EdgeRegistry
import EdgeClient
import EdgeTLS
import NIOPosix

/// How a server joins a cluster (`edgectl server --server URL --token T`), as k3s servers do: it
/// checks the cluster CA against the hash in the server token, then fetches the cluster's signing
/// material (CA certificate and key, the service-account signing key, and the embedded etcd's
/// members when there is one) from `/edgectl/v1/server-bootstrap` over TLS verified by that CA, with the
/// token's secret. It then signs its own serving certificate with the cluster CA.
enum ServerBootstrap {
    static let path = "/edgectl/v1/server-bootstrap"

    struct Material: Sendable {
        var caCert: String
        var caKey: String
        var serviceAccountKey: String
        /// Client URLs of the embedded etcd's members (--cluster-init clusters).
        var etcdClientURLs: [String]
        /// The secrets encryption keys (`cred/encryption-config.json`) when the cluster encrypts Secrets:
        /// every server must hold them to read what any server wrote (k3s hands them on the same way).
        var encryptionConfig: String? = nil
    }

    /// The endpoint's handler on a server: the material for a caller presenting the token's secret.
    static func handler(token: ServerToken, material: @escaping @Sendable () async -> Material) -> @Sendable (HTTPRequest) async -> HTTPResponse {
        { req in
            guard req.method == "GET" else { return .error(APIError.methodNotAllowed("GET only")) }
            let auth = req.headers["authorization"] ?? ""
            guard auth.hasPrefix("Bearer "), ServerToken.sameSecret(String(auth.dropFirst("Bearer ".count)), token.secret) else {
                return .error(APIError(code: 401, reason: "Unauthorized", message: "the server token is missing or wrong"))
            }
            let m = await material()
            var body: JSON = ["caCert": .string(m.caCert), "caKey": .string(m.caKey), "serviceAccountKey": .string(m.serviceAccountKey),
                              "etcdClientURLs": .array(m.etcdClientURLs.map { .string($0) })]
            if let e = m.encryptionConfig { body["encryptionConfig"] = .string(e) }
            return .json(200, body)
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// On the joining server: the CA checked against the token, then the material, written to `<data-dir>/tls`
    /// (files that are already there and the same are left alone; different ones are refused).
    static func join(server: String, token: ServerToken, dataDir: String) async throws -> Material {
        let caPEM = try await JoinFlow(server: server, token: "", caCertHash: token.caHash, dataDir: dataDir, nodeName: "").discoverCA()
        let transport = try HTTPSTransport(server: server, tls: try TLSConfiguration.client(trustedCAPEM: caPEM),
                                           group: MultiThreadedEventLoopGroup.singleton)
        let resp: ClientResponse
        do {
            resp = try await transport.send(ClientRequest(method: "GET", uri: path, headers: ["authorization": "Bearer " + token.secret]))
        } catch {
            throw Failure(description: "cannot fetch the cluster's bootstrap from \(server): \(error)")
        }
        guard resp.status == 200 else {
            throw Failure(description: resp.status == 401
                ? "\(server) refused the server token: use the one in <data-dir>/token on a server of the cluster"
                : "\(server) answered \(resp.status) to the server bootstrap: is it an edgectl server of this version?")
        }
        let json = (try? JSONParser.parse(resp.body)) ?? .null
        guard let ca = json["caCert"]?.string, let key = json["caKey"]?.string, let sa = json["serviceAccountKey"]?.string,
              (try? PKI.caCertHash(ca)) == token.caHash else {
            throw Failure(description: "\(server) sent a bootstrap that does not match the token's CA")
        }
        let m = Material(caCert: ca, caKey: key, serviceAccountKey: sa, etcdClientURLs: json["etcdClientURLs"]?.array?.compactMap(\.string) ?? [],
                         encryptionConfig: json["encryptionConfig"]?.string)
        try install(m, dataDir: dataDir)
        return m
    }

    static func install(_ m: Material, dataDir: String) throws {
        let dir = dataDir + "/tls"
        try FileSystem.makeDirectories(dir)
        for (name, pem) in [("ca.crt", m.caCert), ("ca.key", m.caKey), ("service-account.key", m.serviceAccountKey)] {
            let path = dir + "/" + name
            if FileSystem.exists(path) {
                guard try FileSystem.read(path) == pem else {
                    throw Failure(description: "\(path) belongs to another cluster: this data dir served a cluster of its own; use a fresh --data-dir to join")
                }
                continue
            }
            try FileSystem.write(path, pem, mode: 0o600)
        }
        // The cluster's secrets keys, unless this server already has a key file (it then must be the same one:
        // after `secrets-encrypt rotate-keys` copy the new file to every server, see docs/SECURITY.md).
        if let text = m.encryptionConfig, !FileSystem.exists(SecretsEncryptionFile.path(dataDir: dataDir)) {
            _ = try SecretsEncryptionConfig.parse(Array(text.utf8))
            try FileSystem.makeDirectories(dataDir + "/cred", mode: 0o700)
            try FileSystem.write(SecretsEncryptionFile.path(dataDir: dataDir), text, mode: 0o600)
        }
    }
}

extension ServerBootstrap {
    static let configMaps = BuiltinResources.configMaps

    /// A datastore already holding a cluster is joined, never taken over: a server whose data dir has no
    /// CA yet (or another one) must come in with --server and --token, or it would make a second CA and
    /// every existing credential would stop verifying against it.
    static func checkDatastoreCluster(_ store: ObjectStore, dataDir: String) async throws {
        guard let cm = try await store.getIfExists(configMaps, namespace: "kube-public", name: "cluster-info"),
              let text = cm[path: ["data", "kubeconfig"]]?.string,
              let info = try? KubeconfigFile(text: text, source: "cluster-info"),
              let theirs = try? PKI.caCertHash(info.caPEM) else { return }
        let caPath = dataDir + "/tls/ca.crt"
        let ours = FileSystem.exists(caPath) ? try? PKI.caCertHash(try FileSystem.read(caPath)) : nil
        if ours == theirs { return }
        throw Failure(description: """
            the datastore already holds a cluster (CA \(theirs)) that this server's data dir \(ours.map { "has another CA (\($0))" } ?? "does not know"): \
            add this server to it with --server https://<a server>:6443 --token <the token in that server's <data-dir>/token>, \
            or give it a datastore of its own
            """)
    }
}
