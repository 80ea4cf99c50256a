import XCTest
@testable import EdgeImages

final class GzipStreamTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try TestFiles.temporaryDirectory() }
    override func tearDown() { TestFiles.remove(dir) }

    func sample(_ count: Int, seed: UInt32) -> [UInt8] {
        var x = seed
        return (0..<count).map { i in
            x = x &* 1_103_515_245 &+ 12345
            // Half text-like, half noise, so the compressed stream has varied blocks.
            return i % 2 == 0 ? UInt8(ascii: "a") + UInt8(i / 2 % 26) : UInt8(truncatingIfNeeded: x >> 16)
        }
    }

    func inflate(_ compressed: [UInt8], sourceReads: Int, outputChunk: Int) throws -> [UInt8] {
        let z = try GzipStream(ByteArrayStream(compressed, maxRead: sourceReads), name: "test")
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: outputChunk)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try z.read($0) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// 3 MiB through small source reads and small output buffers: the inflater never needs the whole blob.
    func testStreamsLargeDataInSmallPieces() throws {
        let data = sample(3 << 20, seed: 1)
        let compressed = try TestFiles.gzip(data, in: dir)
        XCTAssertEqual(try inflate(compressed, sourceReads: 4096, outputChunk: 1000), data)
    }

    /// One byte of input at a time, over many 32 KiB windows (256 KiB: 3 MiB this way is a
    /// million inflate calls, minutes under qemu-user for nothing more).
    func testStreamsOneSourceByteAtATime() throws {
        let data = sample(256 << 10, seed: 5)
        let compressed = try TestFiles.gzip(data, in: dir)
        XCTAssertEqual(try inflate(compressed, sourceReads: 1, outputChunk: 65536), data)
    }

    /// The output buffer filling exactly at the end of the data must not read as a truncated stream.
    func testOutputEndingExactlyAtABufferBoundary() throws {
        for size in [512, 4096, 65536] {
            let data = sample(size, seed: UInt32(size))
            let compressed = try TestFiles.gzip(data, in: dir)
            XCTAssertEqual(try inflate(compressed, sourceReads: .max, outputChunk: size), data, "size \(size)")
            XCTAssertEqual(try inflate(compressed, sourceReads: .max, outputChunk: 512), data, "size \(size) in 512s")
        }
    }

    func testConcatenatedMembersAreOneStream() throws {
        let a = sample(10_000, seed: 2), b = sample(5_000, seed: 3)
        let joined = try TestFiles.gzip(a, in: dir, name: "a") + TestFiles.gzip(b, in: dir, name: "b")
        XCTAssertEqual(try inflate(joined, sourceReads: 333, outputChunk: 4096), a + b)
    }

    func testTruncatedAndCorruptDataAreErrors() throws {
        let compressed = try TestFiles.gzip(sample(100_000, seed: 4), in: dir)
        XCTAssertThrowsError(try inflate(Array(compressed.prefix(compressed.count / 2)), sourceReads: 1000, outputChunk: 1000)) {
            XCTAssertTrue("\($0)".contains("ends early"), "\($0)")
        }
        var corrupt = compressed
        for i in 20..<60 { corrupt[i] = 0xff }
        XCTAssertThrowsError(try inflate(corrupt, sourceReads: 1000, outputChunk: 1000)) { XCTAssertTrue("\($0)".contains("gzip"), "\($0)") }
    }
}
