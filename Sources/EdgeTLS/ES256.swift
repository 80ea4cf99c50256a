import CMbedTLS

/// JWS ES256 signatures (ECDSA P-256 over SHA-256, raw r||s): what service
/// account tokens are signed with.
public enum ES256 {
    public static func sign(keyPEM: String, _ data: [UInt8]) throws -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        let (rc, err) = withErrorBuffer { e, n in
            sig.withUnsafeMutableBufferPointer { s in data.withUnsafeBufferPointer { edge_es256_sign(keyPEM, $0.baseAddress, $0.count, s.baseAddress, e, n) } }
        }
        guard rc == 0 else { throw TLSError(err) }
        return sig
    }

    /// True when `signature` is `data` signed by the key (private or public PEM).
    public static func verify(keyPEM: String, _ data: [UInt8], signature: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        return data.withUnsafeBufferPointer { d in signature.withUnsafeBufferPointer { edge_es256_verify(keyPEM, d.baseAddress, d.count, $0.baseAddress) } } == 0
    }
}
