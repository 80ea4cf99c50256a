import CMbedTLS

/// Digests from mbedtls for protocols that name them.
public enum Digest {
    /// SHA-1, as the WebSocket handshake requires (RFC 6455); never for integrity or signatures.
    public static func sha1(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        _ = data.withUnsafeBufferPointer { d in out.withUnsafeMutableBufferPointer { edge_sha1(d.baseAddress, d.count, $0.baseAddress) } }
        return out
    }

    /// SHA-256: names derived from user input (iptables chains) that must not collide.
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = data.withUnsafeBufferPointer { d in out.withUnsafeMutableBufferPointer { edge_sha256(d.baseAddress, d.count, $0.baseAddress) } }
        return out
    }

    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in out.withUnsafeMutableBufferPointer { edge_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, $0.baseAddress) } }
        }
        return out
    }

    /// PBKDF2 with HMAC-SHA-256, one 32-byte block (SCRAM's Hi()).
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: UInt32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = password.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { edge_pbkdf2_sha256(p.baseAddress, p.count, s.baseAddress, s.count, iterations, $0.baseAddress) }
            }
        }
        return out
    }
}
