/// One DER element in a byte string: just enough ASN.1 to check the structure
/// of what edgectl signs (tests only; single-byte tags, definite lengths).
struct DERElement {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    let tag: UInt8
    /// The whole element: tag, length and content.
    let encoded: ArraySlice<UInt8>
    let content: ArraySlice<UInt8>

    /// The first element of `bytes`; throws if its length runs past the end.
    init(_ bytes: ArraySlice<UInt8>) throws {
        var i = bytes.startIndex
        guard bytes.count >= 2 else { throw Malformed(description: "truncated header") }
        tag = bytes[i]
        guard tag & 0x1f != 0x1f else { throw Malformed(description: "multi-byte tag") }
        let first = bytes[i + 1]
        i += 2
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7f)
            guard count >= 1, count <= 3, bytes.endIndex - i >= count else { throw Malformed(description: "bad length of length") }
            for _ in 0..<count { length = length << 8 | Int(bytes[i]); i += 1 }
            // DER: the shortest form, no leading zero byte.
            guard length >= 0x80, bytes[bytes.startIndex + 2] != 0 else { throw Malformed(description: "length not in DER's shortest form") }
        }
        guard bytes.endIndex - i >= length else { throw Malformed(description: "length \(length) past the end") }
        content = bytes[i..<i + length]
        encoded = bytes[bytes.startIndex..<i + length]
    }

    /// The elements inside a constructed element, which must fill it exactly.
    func children() throws -> [DERElement] {
        var out: [DERElement] = []
        var rest = content
        while !rest.isEmpty {
            let e = try DERElement(rest)
            out.append(e)
            rest = rest[e.encoded.endIndex...]
        }
        return out
    }

    /// The DER of the first PEM block in `pem`.
    static func pemBody(_ pem: String) throws -> [UInt8] {
        let lines = pem.split(separator: "\n").map { $0.filter { !$0.isWhitespace } }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN") }),
              let end = lines[(begin + 1)...].firstIndex(where: { $0.hasPrefix("-----END") }) else {
            throw Malformed(description: "no PEM block")
        }
        return try base64Decode(lines[(begin + 1)..<end].joined())
    }

    static func base64Decode(_ text: String) throws -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var value = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { value[Int(c)] = i }
        var out: [UInt8] = []
        var bits = 0, count = 0
        for c in text.utf8 where c != UInt8(ascii: "=") {
            let v = value[Int(c)]
            guard v >= 0 else { throw Malformed(description: "not base64") }
            bits = (bits << 6 | v) & 0xffffff
            count += 6
            if count >= 8 { count -= 8; out.append(UInt8((bits >> count) & 0xff)) }
        }
        return out
    }
}
