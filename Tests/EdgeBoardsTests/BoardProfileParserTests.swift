import XCTest
@testable import EdgeBoards

final class BoardProfileParserTests: XCTestCase {
    let minimal = """
        name: test-board
        title: Test
        arch: arm64
        soc: X
        cpu: Y
        cores: 4
        memory: 1Gi, 2Gi
        reserved-memory: 128Mi + 5%
        eviction-memory-available: 100Mi
        thermal-limit: 80
        thermal-critical: 85
        """

    func parse(_ text: String) throws -> BoardProfile { try BoardProfileParser.parse(text, source: "t.board") }

    func failure(_ text: String) -> String {
        do { _ = try parse(text); return "" } catch { return "\(error)" }
    }

    func testMinimalProfileAndDefaults() throws {
        let p = try parse(minimal)
        XCTAssertEqual(p.memoryVariants, [1 << 30, 2 << 30])
        XCTAssertEqual(p.evictionNodefsAvailablePercent, 10)
        XCTAssertEqual(p.evictionImagefsAvailablePercent, 15)
        XCTAssertEqual(p.bootPartition, "none")
        XCTAssertEqual(p.throttleFlags, "none")
        XCTAssertEqual(p.reservedMemory, ReservedMemory(fixedBytes: 128 << 20, percent: 5))
    }

    func testMistakesAreNamed() {
        XCTAssertTrue(failure(minimal + "\nkernel-arg: x").contains("t.board:12: unknown key kernel-arg"))
        XCTAssertTrue(failure(minimal + "\ncores: 2").contains("cores repeats the one on line 6"))
        XCTAssertTrue(failure(minimal.replacingOccurrences("arch: arm64", "arch: mips")).contains("arch must list"))
        XCTAssertTrue(failure(minimal.replacingOccurrences("thermal-limit: 80", "thermal-limit: 90")).contains("below thermal-critical"))
        XCTAssertTrue(failure(minimal.replacingOccurrences("memory: 1Gi, 2Gi", "memory: 1GB")).contains("memory variant 1GB"))
        XCTAssertTrue(failure(minimal + "\nkernel-args: a=b").contains("kernel-args needs kernel-args-file"))
        XCTAssertTrue(failure(minimal + "\nno colon here").contains("expected `key: value`"))
        XCTAssertTrue(failure(minimal.replacingOccurrences("name: test-board", "name: Test Board")).contains("name must be"))
        XCTAssertTrue(failure(minimal.replacingOccurrences("reserved-memory: 128Mi + 5%", "reserved-memory: 90%")).contains("reserved-memory"))
    }

    func testReservedMemoryAndAllocatable() throws {
        let reserved: Int64 = (128 << 20) + (1 << 30) / 100 * 5
        XCTAssertEqual(ReservedMemory("128Mi + 5%")?.bytes(capacity: 1 << 30), reserved)
        XCTAssertEqual(ReservedMemory("5%")?.bytes(capacity: 1000), 50)
        XCTAssertEqual(ReservedMemory("1Gi")?.bytes(capacity: 512 << 20), 512 << 20, "never more than the machine has")
        XCTAssertNil(ReservedMemory("5% + 6%"))
        XCTAssertNil(ReservedMemory("lots"))
        XCTAssertEqual(ReservedMemory("128Mi + 5%")?.description, "128Mi + 5%")
        let p = try parse(minimal)
        let gib: Int64 = 1 << 30
        let expected: Int64 = gib - (128 << 20) - gib / 100 * 5 - (100 << 20)
        XCTAssertEqual(p.allocatableMemory(capacity: gib), expected)
        XCTAssertEqual(p.allocatableMemory(capacity: 100 << 20), 0)
    }

    func testByteSizeIsRangeChecked() {
        XCTAssertEqual(ByteSize.parse("512Mi"), 512 << 20)
        XCTAssertEqual(ByteSize.parse("4096"), 4096)
        XCTAssertNil(ByteSize.parse("-1Mi"))
        XCTAssertNil(ByteSize.parse("99999999999999Ti"))
        XCTAssertNil(ByteSize.parse("1.5Gi"))
        XCTAssertEqual(ByteSize.format(100 << 20), "100Mi")
        XCTAssertEqual(ByteSize.human(1536 << 20), "1.5 GiB")
    }
}

extension String {
    /// Every `a` replaced by `b` (no Foundation in these tests' module).
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        let s = Array(self), pat = Array(a)
        var out: [Character] = []
        var i = 0
        while i < s.count {
            if i + pat.count <= s.count && Array(s[i..<(i + pat.count)]) == pat { out += b; i += pat.count } else { out.append(s[i]); i += 1 }
        }
        return String(out)
    }
}
