import EdgeRuntime
import XCTest
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// The configMap/secret/downwardAPI/projected writer keeps to its volume even for paths the API would refuse
/// (objects stored before the API checked them reach the agent unvalidated).
final class AtomicVolumeWriterTests: XCTestCase {
    var base = ""
    var volume: String { base + "/pod/volumes/cfg" }

    override func setUpWithError() throws {
        var template = Array("/tmp/edgectl-volwriter-XXXXXX".utf8CString)
        guard let d = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        base = String(cString: d)
    }

    override func tearDown() { if !base.isEmpty { PosixFile.removeTree(base) } }

    func file(_ path: String, _ text: String = "x") -> AtomicVolumeWriter.File { .init(path: path, bytes: Array(text.utf8), mode: 0o644) }

    func testWritesFilesBehindDataLinks() throws {
        try AtomicVolumeWriter.write(volume, [file("a", "1"), file("dir/b", "2")])
        XCTAssertEqual(PosixFile.read(volume + "/a"), Array("1".utf8))
        XCTAssertEqual(PosixFile.read(volume + "/dir/b"), Array("2".utf8))
    }

    func testRefusesEveryPathThatLeavesTheVolumeAndWritesNothing() {
        for bad in ["../escaped", "../../../escaped", "dir/../../escaped", "/tmp/escaped", "..data", "..2020_01/x", ""] {
            XCTAssertThrowsError(try AtomicVolumeWriter.write(volume, [file("fine"), file(bad)]), bad) { e in
                XCTAssertTrue("\(e)".contains("path"), "\(e)")
            }
        }
        XCTAssertEqual(PosixFile.list(base + "/pod/volumes"), [], "not even the volume directory was made")
        XCTAssertFalse(PosixFile.exists(base + "/pod/escaped"))
        XCTAssertFalse(PosixFile.exists("/tmp/escaped"))
    }
}
