import CMbedTLS

/// An immutable mbedtls configuration shared by every session of a listener
/// or client. mbedtls only reads it once set up, so sharing across threads is safe.
public final class TLSConfiguration: @unchecked Sendable {
    let pointer: OpaquePointer
    public let isServer: Bool

    private init(pointer: OpaquePointer, isServer: Bool) {
        self.pointer = pointer
        self.isServer = isServer
    }

    deinit { edge_tls_config_free(pointer) }

    /// A server: certificate chain and key; with `clientCA`, client certificates
    /// are requested (optionally) and reported when they verify.
    public static func server(certificateChainPEM: String, keyPEM: String, clientCAPEM: String?) throws -> TLSConfiguration {
        let (p, err) = withErrorBuffer { edge_tls_server_config(certificateChainPEM, keyPEM, clientCAPEM, $0, $1) }
        guard let p else { throw TLSError(err) }
        return TLSConfiguration(pointer: p, isServer: true)
    }

    /// A client: `trustedCAPEM` nil means the server is not verified (only for
    /// fetching a CA whose pinned hash is checked before anything is sent).
    public static func client(trustedCAPEM: String?, certificatePEM: String? = nil, keyPEM: String? = nil) throws -> TLSConfiguration {
        let (p, err) = withErrorBuffer { edge_tls_client_config(trustedCAPEM, certificatePEM, keyPEM, $0, $1) }
        guard let p else { throw TLSError(err) }
        return TLSConfiguration(pointer: p, isServer: false)
    }
}
