/// Random identifiers the API server assigns.
public enum Identifiers {
    /// An RFC 4122 version 4 UUID, as metadata.uid.
    public static func uuid() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef")
        var s = ""
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { s.append("-") }
            s.append(hex[Int(b >> 4)])
            s.append(hex[Int(b & 0xF)])
        }
        return s
    }

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
