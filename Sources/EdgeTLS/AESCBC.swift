import CMbedTLS

/// AES-CBC from mbedtls as upstream's `aescbc` encryption provider stores
/// values: a random 16-byte IV, then the PKCS#7-padded plaintext encrypted.
/// Unauthenticated (upstream no longer recommends it); read and written for
/// configurations that name it, as k3s's long did.
public enum AESCBC {
    static let block = 16

    public static func seal(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        guard [16, 24, 32].contains(key.count) else { throw AESGCM.Failure(description: "AES-CBC keys are 16, 24 or 32 bytes") }
        var rng = SystemRandomNumberGenerator()
        let iv = (0..<block).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let pad = block - plaintext.count % block
        let padded = plaintext + [UInt8](repeating: UInt8(pad), count: pad)
        var out = [UInt8](repeating: 0, count: padded.count)
        let rc = key.withUnsafeBufferPointer { k in iv.withUnsafeBufferPointer { v in padded.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in edge_aes_cbc(1, k.baseAddress, k.count, v.baseAddress, p.baseAddress, p.count, o.baseAddress) }
        } } }
        guard rc == 0 else { throw AESGCM.Failure(description: "AES-CBC encryption failed (\(rc))") }
        return iv + out
    }

    public static func open(_ sealed: [UInt8], key: [UInt8]) throws -> [UInt8] {
        guard [16, 24, 32].contains(key.count) else { throw AESGCM.Failure(description: "AES-CBC keys are 16, 24 or 32 bytes") }
        guard sealed.count >= 2 * block else { throw AESGCM.Failure(description: "the stored data was shorter than the required size") }
        let iv = Array(sealed[0..<block]), body = Array(sealed[block...])
        guard body.count % block == 0 else { throw AESGCM.Failure(description: "the stored data is not a multiple of the block size") }
        var out = [UInt8](repeating: 0, count: body.count)
        let rc = key.withUnsafeBufferPointer { k in iv.withUnsafeBufferPointer { v in body.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in edge_aes_cbc(0, k.baseAddress, k.count, v.baseAddress, b.baseAddress, b.count, o.baseAddress) }
        } } }
        guard rc == 0 else { throw AESGCM.Failure(description: "AES-CBC decryption failed (\(rc))") }
        // PKCS#7: the last byte says how many bytes of padding, each of that value (a wrong key fails here, mostly).
        let pad = Int(out[out.count - 1])
        guard pad >= 1, pad <= block, out.suffix(pad).allSatisfy({ $0 == UInt8(pad) }) else {
            throw AESGCM.Failure(description: "invalid PKCS7 data (empty or not padded)")
        }
        return Array(out.dropLast(pad))
    }
}
