import CMbedTLS

/// AES-GCM from mbedtls, for data at rest: a 16, 24 or 32-byte key, a random
/// 12-byte nonce per message, the 16-byte tag after the ciphertext.
public enum AESGCM {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// nonce || ciphertext || tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], additionalData: [UInt8] = []) throws -> [UInt8] {
        guard [16, 24, 32].contains(key.count) else { throw Failure(description: "AES-GCM keys are 16, 24 or 32 bytes") }
        var rng = SystemRandomNumberGenerator()
        let nonce = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var out = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: 16)
        let rc = key.withUnsafeBufferPointer { k in nonce.withUnsafeBufferPointer { n in additionalData.withUnsafeBufferPointer { a in
            plaintext.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { o in tag.withUnsafeMutableBufferPointer { t in
                edge_aes_gcm_seal(k.baseAddress, k.count, n.baseAddress, a.baseAddress, a.count, p.baseAddress, p.count, o.baseAddress, t.baseAddress)
            } } } } } }
        guard rc == 0 else { throw Failure(description: "AES-GCM encryption failed (\(rc))") }
        return nonce + out + tag
    }

    public static func open(_ sealed: [UInt8], key: [UInt8], additionalData: [UInt8] = []) throws -> [UInt8] {
        guard [16, 24, 32].contains(key.count) else { throw Failure(description: "AES-GCM keys are 16, 24 or 32 bytes") }
        guard sealed.count >= 28 else { throw Failure(description: "the sealed value is too short") }
        let nonce = Array(sealed[0..<12]), tag = Array(sealed[(sealed.count - 16)...]), body = Array(sealed[12..<(sealed.count - 16)])
        var out = [UInt8](repeating: 0, count: body.count)
        let rc = key.withUnsafeBufferPointer { k in nonce.withUnsafeBufferPointer { n in additionalData.withUnsafeBufferPointer { a in
            body.withUnsafeBufferPointer { b in tag.withUnsafeBufferPointer { t in out.withUnsafeMutableBufferPointer { o in
                edge_aes_gcm_open(k.baseAddress, k.count, n.baseAddress, a.baseAddress, a.count, b.baseAddress, b.count, t.baseAddress, o.baseAddress)
            } } } } } }
        guard rc == 0 else { throw Failure(description: "AES-GCM authentication failed: wrong key or damaged value") }
        return out
    }
}
