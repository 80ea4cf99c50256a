/// A node's client key and certificate (CN=system:node:NAME, O=system:nodes), PEM.
public struct NodeClientCredentials: Sendable, Equatable {
    public var keyPEM: String
    public var certificatePEM: String

    public init(keyPEM: String, certificatePEM: String) {
        self.keyPEM = keyPEM
        self.certificatePEM = certificatePEM
    }
}
