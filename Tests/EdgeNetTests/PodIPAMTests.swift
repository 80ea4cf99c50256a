import XCTest
import EdgeAPI
@testable import EdgeNet
#if canImport(Glibc)
import Glibc
#endif

func temporaryDirectory(_ prefix: String = "edgenet-test") -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    return String(cString: mkdtemp(&template)!)
}

func removeTree(_ path: String) {
    for name in PodNetworkFiles.list(path) {
        let p = path + "/" + name
        var st = stat()
        if lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { unlink(p) }
    }
    rmdir(path)
}

final class PodIPAMTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = temporaryDirectory() }
    override func tearDown() { removeTree(dir) }

    func testAddressesComeFromTheRangeAfterTheGatewayAndAreNeverShared() throws {
        let ipam = try PodIPAM(range: IPv4CIDR("10.42.3.0/29")!, directory: dir + "/r")
        XCTAssertEqual(ipam.gateway.description, "10.42.3.1")
        var got: [String] = []
        for i in 0..<5 { got.append(try ipam.allocate(uid: "pod-\(i)").description) }
        XCTAssertEqual(got, ["10.42.3.2", "10.42.3.3", "10.42.3.4", "10.42.3.5", "10.42.3.6"])
        XCTAssertThrowsError(try ipam.allocate(uid: "pod-5"), "no .7 (broadcast) and no .1 (gateway)")
        XCTAssertEqual(try ipam.allocate(uid: "pod-2").description, "10.42.3.4", "a retried set-up gets the address it holds")
    }

    func testReleaseAndRoundRobinReuse() throws {
        let ipam = try PodIPAM(range: IPv4CIDR("10.42.3.0/24")!, directory: dir + "/r")
        let a = try ipam.allocate(uid: "a")
        _ = try ipam.allocate(uid: "b")
        ipam.release(uid: "a")
        XCTAssertNil(ipam.reservations()[a])
        XCTAssertEqual(try ipam.allocate(uid: "c").description, "10.42.3.4", "a released address is not reused at once")
    }

    func testStateOutlivesTheProcessAndGarbageIsCollected() throws {
        let r = IPv4CIDR("10.42.3.0/24")!
        let first = try PodIPAM(range: r, directory: dir + "/r")
        let a = try first.allocate(uid: "a")
        let b = try first.allocate(uid: "b")
        // A reservation cut short by kill -9: the file exists, no owner written yet.
        XCTAssertTrue(try PodNetworkFiles.createExclusive(dir + "/r/10.42.3.9", contents: ""))
        // A new agent (restart) reads the same files: no address is handed out twice.
        let second = try PodIPAM(range: r, directory: dir + "/r")
        let c = try second.allocate(uid: "c")
        XCTAssertFalse([a, b, IPv4Address("10.42.3.9")!].contains(c))
        XCTAssertEqual(second.reservations()[a], "a")
        let freed = second.collectGarbage(live: ["a", "c"])
        XCTAssertEqual(freed, [b, IPv4Address("10.42.3.9")!])
        XCTAssertEqual(Set(second.reservations().values), ["a", "c"])
    }
}
