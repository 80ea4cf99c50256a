import XCTest
@testable import EdgeAPI

final class JSONSerializerTests: XCTestCase {
    /// The escaping writeString did before its lookup table, byte for byte.
    static func reference(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for c in Array(s.utf8) {
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case _ where c < 0x20 || c == 0x3C || c == 0x3E || c == 0x26:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]]
            default: out.append(c)
            }
        }
        out.append(0x22)
        return out
    }

    func testStringsAreEscapedAsBefore() {
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "<a href=\"x\">&amp;</a>", "tab\there\nnew\r\u{0}\u{1f}", "ünïcödé ☃ 𝄞", String(repeating: "v", count: 1500),
                    String(repeating: "a\"b\\c<d>e&f\u{7f}", count: 100)]
        var x: UInt32 = 2463534242
        for _ in 0..<300 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(x % 40) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5
                let v = x % 5 == 0 ? x % 0x800 : x % 0x80
                if let u = UnicodeScalar(v) { scalars.append(u) }
            }
            samples.append(String(scalars))
        }
        for s in samples {
            var out: [UInt8] = []
            JSONSerializer.writeString(s, to: &out)
            XCTAssertEqual(out, Self.reference(s), s.debugDescription)
        }
    }

    func testAConfigMapEncodesToTheSameBytes() {
        let cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": ["name": "a<b>", "namespace": "bench", "labels": ["x": "&y"]],
                        "data": ["v": .string(String(repeating: "0123456789", count: 150)), "q": "\"quoted\"\n"]]
        let expected = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a\u003cb\u003e","namespace":"bench","labels":{"x":"\u0026y"}},"data":{"v":""# + String(repeating: "0123456789", count: 150) + #"","q":"\"quoted\"\n"}}"#
        XCTAssertEqual(JSONSerializer.string(cm), expected)
    }
}
