import XCTest
@testable import EdgeBoards

/// Partition tables are untrusted input: every extent is checked against the image.
final class PartitionTableTests: XCTestCase {
    func image(_ t: FakeTree, size: Int, entries: [(type: UInt8, start: UInt32, sectors: UInt32)]) -> String {
        var b = [UInt8](repeating: 0, count: size)
        for (i, e) in entries.enumerated() {
            let o = 446 + i * 16
            b[o + 4] = e.type
            for k in 0..<4 { b[o + 8 + k] = UInt8((e.start >> (8 * k)) & 0xff); b[o + 12 + k] = UInt8((e.sectors >> (8 * k)) & 0xff) }
        }
        b[510] = 0x55; b[511] = 0xAA
        return t.writeBytes("disk.img", b)
    }

    func failure(_ path: String) -> String {
        do { _ = try PartitionTable.read(try ImageFile(path: path)); return "" } catch { return "\(error)" }
    }

    func testMBRPartitionsAndKinds() throws {
        let t = FakeTree()
        let p = image(t, size: 1 << 20, entries: [(0x0c, 16, 512), (0x83, 528, 1024), (0, 0, 0), (0x05, 1552, 10)])
        let table = try PartitionTable.read(try ImageFile(path: p))
        XCTAssertEqual(table.scheme, .mbr)
        XCTAssertEqual(table.partitions.map(\.kind), [.fat, .linux], "extended partitions are left out")
        XCTAssertEqual(table.partitions[1].offset, 528 * 512)
        XCTAssertEqual(table.partitions[1].size, 1024 * 512)
    }

    func testHostileTablesAreRefused() {
        let t = FakeTree()
        XCTAssertTrue(failure(image(t, size: 1 << 20, entries: [(0x83, 16, 0xFFFF_FFF0)])).contains("past the end of the image"))
        XCTAssertTrue(failure(image(t, size: 1 << 20, entries: [(0x0c, 16, 512), (0x83, 100, 512)])).contains("overlap"))
        XCTAssertTrue(failure(image(t, size: 1 << 20, entries: [(0x83, 0, 10)])).contains("empty extent"))
        XCTAssertTrue(failure(t.writeBytes("zero.img", [UInt8](repeating: 0, count: 4096))).contains("no partition table"))
        XCTAssertTrue(failure(t.writeBytes("tiny.img", [1, 2, 3])).contains("too small"))
        // A protective MBR without a GPT header behind it.
        XCTAssertTrue(failure(image(t, size: 1 << 20, entries: [(0xEE, 1, 2047)])).contains("no GPT header"))
    }

    func testGPTFromSfdiskAndCorruption() throws {
        let t = FakeTree()
        let path = t.writeBytes("gpt.img", [UInt8](repeating: 0, count: 8 << 20))
        _ = try Subprocess.check(["sfdisk", "-q", path], input: Array("""
            label: gpt
            start=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=EFI
            start=6144, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root

            """.utf8))
        let table = try PartitionTable.read(try ImageFile(path: path))
        XCTAssertEqual(table.scheme, .gpt)
        XCTAssertEqual(table.partitions.map(\.kind), [.efi, .linux])
        XCTAssertEqual(table.partitions.map(\.name), ["EFI", "root"])
        XCTAssertEqual(table.partitions[1].offset, 6144 * 512)
        // Flip a byte of the first entry: the entries' CRC no longer matches.
        var bytes = try XCTUnwrap(HostRoot("/").readBytes(path, limit: 8 << 20))
        bytes[1024 + 40] ^= 0xff
        let bad = t.writeBytes("bad.img", bytes)
        XCTAssertTrue(failure(bad).contains("CRC mismatch"))
    }

    /// A GPT header's 32-bit fields are read as such: a header size of 0xFFFFFFFF is refused
    /// with the reason, not turned into an Int (which traps where Int is 32 bits, on armv7).
    func testGPTHeaderSizeBeyondInt32IsRefused() {
        let t = FakeTree()
        var b = [UInt8](repeating: 0, count: 1 << 20)
        b[446 + 4] = 0xEE; b[446 + 8] = 1; b[446 + 12] = 0xFF; b[446 + 13] = 0x07
        b[510] = 0x55; b[511] = 0xAA
        for (i, c) in "EFI PART".utf8.enumerated() { b[512 + i] = c }
        for k in 0..<4 { b[512 + 12 + k] = 0xFF }
        XCTAssertTrue(failure(t.writeBytes("gpt-hostile.img", b)).contains("GPT header size 4294967295 is invalid"))
    }
}
