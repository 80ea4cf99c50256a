import XCTest
@testable import EdgeImages

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.digest([]), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.digest(Array("abc".utf8)), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// Streaming must not depend on how the bytes are chunked (blocks straddle reads).
    func testChunkingDoesNotChangeTheDigest() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.digest(data)
        for chunk in [1, 3, 63, 64, 65, 1000] {
            var h = SHA256()
            var i = 0
            while i < data.count { h.update(Array(data[i..<min(i + chunk, data.count)])); i += chunk }
            XCTAssertEqual(h.finalizeDigest(), whole, "chunk \(chunk)")
            XCTAssertEqual(h.count, Int64(data.count))
        }
    }
}
