/// Random identifiers the API server assigns.
public enum Identifiers {
    /// An RFC 4122 version 4 UUID, as metadata.uid.
    public static func uuid() -> String {
        // Two 64-bit draws: each draw from the system generator is a getrandom call,
        // and one per byte made uuids a visible cost of every create.
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for (half, word) in [rng.next() as UInt64, rng.next() as UInt64].enumerated() {
            for i in 0..<8 { bytes[half * 8 + i] = UInt8(truncatingIfNeeded: word >> (i * 8)) }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// The alphabet upstream uses for generateName suffixes: no vowels (no words)
    /// and no look-alike characters.
    static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `generateName` + 5 random characters.
    public static func generatedName(prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        return base + String((0..<5).map { _ in suffixAlphabet.randomElement(using: &rng)! })
    }
}
