import EdgeAgent
import EdgeClient
import EdgeTLS

/// Puts a renewed node certificate into use: first checks it loads as a TLS
/// client identity, then saves it (so a restarted agent uses it), then
/// switches the agent's live connection to it. Any failure leaves both the
/// files and the connection on the old certificate.
struct AgentCredentialInstaller: NodeCredentialInstaller {
    let files: NodeCredentialFiles
    let transport: any CredentialedTransport

    func install(_ credentials: NodeClientCredentials) throws {
        let tls = try TLSConfiguration.client(trustedCAPEM: files.caPEM, certificatePEM: credentials.certificatePEM, keyPEM: credentials.keyPEM)
        try files.write(credentials)
        transport.useTLS(tls)
    }
}
