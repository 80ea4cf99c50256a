import XCTest
@testable import EdgeImages

final class TarReaderTests: XCTestCase {
    func entries(_ bytes: [UInt8], maxRead: Int = .max) throws -> [(TarEntry, String)] {
        let reader = TarReader(ByteArrayStream(bytes, maxRead: maxRead))
        var out: [(TarEntry, String)] = []
        while let e = try reader.next() {
            var data: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 5)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try reader.read($0) }
                if n == 0 { break }
                data += chunk[0..<n]
            }
            out.append((e, String(decoding: data, as: UTF8.self)))
        }
        return out
    }

    func testUstarMembersAndShortReads() throws {
        var t = TarBuilder()
        t.directory("etc/", mode: 0o755)
        t.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", mode: 0o600, uid: 7, gid: 8, mtime: 1234)
        t.symlink("bin/sh", to: "/bin/busybox")
        t.hardLink("etc/passwd-", to: "etc/passwd")
        t.entry("dev/null", .char, mode: 0o666, major: 1, minor: 3)
        t.entry("run/fifo", .fifo, mode: 0o600)
        t.finish()
        // A 7-byte source read size puts block boundaries everywhere.
        let got = try entries(t.bytes, maxRead: 7)
        XCTAssertEqual(got.map(\.0.path), ["etc/", "etc/passwd", "bin/sh", "etc/passwd-", "dev/null", "run/fifo"])
        XCTAssertEqual(got.map(\.0.kind), [.directory, .file, .symbolicLink, .hardLink, .characterDevice, .fifo])
        XCTAssertEqual(got[1].1, "root:x:0:0::/root:/bin/sh\n")
        XCTAssertEqual(got[1].0.mode, 0o600)
        XCTAssertEqual(got[1].0.uid, 7)
        XCTAssertEqual(got[1].0.gid, 8)
        XCTAssertEqual(got[1].0.modificationSeconds, 1234)
        XCTAssertEqual(got[2].0.linkName, "/bin/busybox")
        XCTAssertEqual(got[3].0.linkName, "etc/passwd")
        XCTAssertEqual(got[4].0.deviceMajor, 1)
        XCTAssertEqual(got[4].0.deviceMinor, 3)
    }

    func testPaxLongPathsLinkTargetsMtimeAndXattrs() throws {
        let longPath = String(repeating: "deep/", count: 40) + "file.txt"
        let longTarget = "/" + String(repeating: "t", count: 150)
        var t = TarBuilder()
        t.paxEntry([("path", longPath), ("mtime", "1700000000.25"), ("SCHILY.xattr.user.note", "hi")], name: "short", .file, data: Array("body".utf8))
        t.paxEntry([("linkpath", longTarget)], name: "link", .symlink)
        t.file("after", "x")
        t.finish()
        let got = try entries(t.bytes)
        XCTAssertEqual(got[0].0.path, longPath)
        XCTAssertEqual(got[0].1, "body")
        XCTAssertEqual(got[0].0.modificationSeconds, 1_700_000_000)
        XCTAssertEqual(got[0].0.modificationNanoseconds, 250_000_000)
        XCTAssertEqual(got[0].0.extendedAttributes["user.note"], Array("hi".utf8))
        XCTAssertEqual(got[1].0.linkName, longTarget)
        // pax records apply to one entry only.
        XCTAssertEqual(got[2].0.path, "after")
        XCTAssertEqual(got[2].0.modificationSeconds, 1_000_000)
    }

    func testGNULongNamesAndBase256Sizes() throws {
        let name = String(repeating: "n", count: 180)
        var t = TarBuilder()
        t.gnuLongFile(name, "long")
        t.entry("big", .file, data: Array("base256".utf8), base256Size: true)
        t.finish()
        let got = try entries(t.bytes)
        XCTAssertEqual(got[0].0.path, name)
        XCTAssertEqual(got[0].1, "long")
        XCTAssertEqual(got[1].1, "base256")
    }

    func testCorruptAndTruncatedArchivesAreRefused() throws {
        var t = TarBuilder()
        t.file("a", String(repeating: "z", count: 2000))
        t.finish()
        var corrupt = t.bytes
        corrupt[10] ^= 0x55
        XCTAssertThrowsError(try entries(corrupt)) { XCTAssertTrue("\($0)".contains("checksum")) }
        XCTAssertThrowsError(try entries(Array(t.bytes[0..<1200]))) { XCTAssertTrue("\($0)".contains("truncated")) }
    }

    /// Owners come from the archive: one a 32-bit uid_t cannot hold is refused with the
    /// entry's name (chown would trap converting it, on every target).
    func testOwnersOutsideUIDRangeAreRefused() throws {
        for (key, value) in [("uid", "4294967296"), ("gid", "-1"), ("uid", "99999999999999999999")] {
            var t = TarBuilder()
            t.paxEntry([(key, value)], name: "etc/shadow", .file, data: Array("x".utf8))
            t.finish()
            XCTAssertThrowsError(try entries(t.bytes), "\(key)=\(value)") {
                XCTAssertTrue("\($0)".contains("etc/shadow") && "\($0)".contains(value), "\($0)")
            }
        }
        var t = TarBuilder()
        t.paxEntry([("uid", "4294967294"), ("gid", "65534")], name: "f", .file, data: Array("x".utf8))
        t.finish()
        let got = try entries(t.bytes)
        XCTAssertEqual(got.first?.0.uid, 4_294_967_294)
        XCTAssertEqual(got.first?.0.gid, 65534)
    }

    func testArchiveWithoutEndBlocksEndsCleanly() throws {
        var t = TarBuilder()
        t.file("a", "1")
        XCTAssertEqual(try entries(t.bytes).map(\.0.path), ["a"])
    }
}
