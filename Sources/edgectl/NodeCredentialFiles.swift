import EdgeAgent

/// A node's credentials in its data dir, all 0600: tls/ca.crt, tls/client.key,
/// tls/client.crt, and kubeconfig.yaml embedding them (what `edgectl agent`
/// reads at start). Each file is replaced atomically; kubeconfig.yaml is
/// written last, so a crash part-way leaves the agent a matching key and
/// certificate (the old pair or the new) in the file it starts from.
struct NodeCredentialFiles: Sendable {
    let dataDir: String
    let server: String
    let caPEM: String
    let nodeName: String

    var kubeconfigPath: String { dataDir + "/kubeconfig.yaml" }

    func write(_ credentials: NodeClientCredentials) throws {
        let dir = dataDir + "/tls"
        try FileSystem.makeDirectories(dir)
        try FileSystem.write(dir + "/ca.crt", caPEM, mode: 0o600)
        try FileSystem.write(dir + "/client.key", credentials.keyPEM, mode: 0o600)
        try FileSystem.write(dir + "/client.crt", credentials.certificatePEM, mode: 0o600)
        try FileSystem.write(kubeconfigPath,
                             Kubeconfig.render(server: server, caPEM: caPEM, clientCertPEM: credentials.certificatePEM,
                                               clientKeyPEM: credentials.keyPEM, user: "system:node:" + nodeName),
                             mode: 0o600)
    }
}
