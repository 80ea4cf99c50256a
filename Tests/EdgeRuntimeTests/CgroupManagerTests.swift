import CEdgeRuntime
import EdgeRuntime
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Both cgroup managers against a fake cgroupfs in a temporary directory: which
/// files each writes, with which values, and where. (This machine mounts v1
/// controllers, so the v2 manager runs against the kernel only on v2 boards; the
/// kernel's side, the limits taking effect, is what the root-only runtime tests check on v1.)
final class CgroupManagerTests: XCTestCase {
    var root = ""
    /// A fake cgroupfs cannot take a BPF program, so the v2 tests leave devices alone (the device tests run against the kernel).
    let limits = edge_cgroup_limits(memory_bytes: 64 << 20, cpu_quota_us: 50_000, cpu_period_us: 100_000, cpu_shares: 1024, pids: 100,
                                    all_devices: 1)

    override func setUpWithError() throws {
        var template = Array("/tmp/edgectl-fake-cgroup-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        root = String(cString: dir)
    }

    override func tearDown() { if !root.isEmpty { PosixFile.removeTree(root) } }

    /// A directory as the kernel presents a cgroup: the interface files exist, empty.
    func cgroup(_ path: String, files: [String]) {
        var dir = root
        for part in path.split(separator: "/") {
            dir += "/" + part
            mkdir(dir, 0o755)
        }
        for f in files { XCTAssertNoThrow(try PosixFile.write(dir + "/" + f, [])) }
    }

    func read(_ path: String) -> String? { PosixFile.read(root + "/" + path).map { String(decoding: $0, as: UTF8.self) } }

    func apply(v2: Bool, _ path: String) -> String? {
        var err = [CChar](repeating: 0, count: 512)
        var l = limits
        return edge_cgroup_apply_at(root, v2 ? 1 : 0, path, &l, 4242, &err, err.count) == 0 ? nil : String(cString: err)
    }

    func testV2WritesLimitsInTheLeafAndEnablesControllersInEveryAncestor() {
        let ancestors = ["", "edgectl", "edgectl/podA"]
        for a in ancestors { cgroup(a, files: ["cgroup.subtree_control"]) }
        cgroup("edgectl/podA/main-0", files: ["cgroup.subtree_control", "memory.max", "cpu.max", "cpu.weight", "pids.max", "cgroup.procs"])
        XCTAssertNil(apply(v2: true, "edgectl/podA/main-0"))
        XCTAssertEqual(read("edgectl/podA/main-0/memory.max"), "67108864")
        XCTAssertEqual(read("edgectl/podA/main-0/cpu.max"), "50000 100000")
        // shares 1024 (one CPU's request) maps to weight 39, as crun and runc convert it.
        XCTAssertEqual(read("edgectl/podA/main-0/cpu.weight"), "39")
        XCTAssertEqual(read("edgectl/podA/main-0/pids.max"), "100")
        XCTAssertEqual(read("edgectl/podA/main-0/cgroup.procs"), "4242")
        for a in ancestors { XCTAssertEqual(read(a + "/cgroup.subtree_control"), "+memory +cpu +pids", a) }
        // The leaf holds the process, so enabling controllers below it would break v2's no-internal-process rule.
        XCTAssertEqual(read("edgectl/podA/main-0/cgroup.subtree_control"), "")
    }

    func testV2UnlimitedWritesNoLimitFiles() {
        cgroup("", files: ["cgroup.subtree_control"])
        cgroup("c", files: ["memory.max", "cpu.max", "pids.max", "cgroup.procs"])
        var err = [CChar](repeating: 0, count: 512)
        var none = edge_cgroup_limits(memory_bytes: 0, cpu_quota_us: 0, cpu_period_us: 0, cpu_shares: 0, pids: 0, all_devices: 1)
        XCTAssertEqual(edge_cgroup_apply_at(root, 1, "c", &none, 7, &err, err.count), 0, String(cString: err))
        XCTAssertEqual(read("c/memory.max"), "")
        XCTAssertEqual(read("c/cpu.max"), "")
        XCTAssertEqual(read("c/cgroup.procs"), "7")
    }

    func testV2WithTheDeviceListNamesAFailedAttach() {
        cgroup("", files: ["cgroup.subtree_control"])
        cgroup("c", files: ["cgroup.procs"])
        var err = [CChar](repeating: 0, count: 512)
        var l = edge_cgroup_limits(memory_bytes: 0, cpu_quota_us: 0, cpu_period_us: 0, cpu_shares: 0, pids: 0, all_devices: 0)
        XCTAssertNotEqual(edge_cgroup_apply_at(root, 1, "c", &l, 7, &err, err.count), 0, "a plain directory takes no device program")
        XCTAssertTrue(String(cString: err).contains("device cgroup program"), String(cString: err))
        XCTAssertEqual(read("c/cgroup.procs"), "", "the process is not moved in without its device policy")
    }

    func testV1WritesEachControllersFiles() {
        cgroup("memory/edgectl/podA/main-0", files: ["memory.limit_in_bytes", "cgroup.procs"])
        cgroup("cpu/edgectl/podA/main-0", files: ["cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares", "cgroup.procs"])
        cgroup("pids/edgectl/podA/main-0", files: ["pids.max", "cgroup.procs"])
        cgroup("devices/edgectl/podA/main-0", files: ["devices.deny", "devices.allow", "cgroup.procs"])
        var err = [CChar](repeating: 0, count: 512)
        var l = limits
        l.all_devices = 0
        XCTAssertEqual(edge_cgroup_apply_at(root, 0, "edgectl/podA/main-0", &l, 4242, &err, err.count), 0, String(cString: err))
        XCTAssertEqual(read("devices/edgectl/podA/main-0/devices.deny"), "a\n", "everything denied first")
        XCTAssertEqual(read("devices/edgectl/podA/main-0/devices.allow"),
                       "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\n",
                       "then the standard character devices, one rule per write")
        XCTAssertEqual(read("memory/edgectl/podA/main-0/memory.limit_in_bytes"), "67108864")
        XCTAssertEqual(read("cpu/edgectl/podA/main-0/cpu.cfs_period_us"), "100000")
        XCTAssertEqual(read("cpu/edgectl/podA/main-0/cpu.cfs_quota_us"), "50000")
        XCTAssertEqual(read("cpu/edgectl/podA/main-0/cpu.shares"), "1024")
        XCTAssertEqual(read("pids/edgectl/podA/main-0/pids.max"), "100")
        for c in ["memory", "cpu", "pids", "devices"] { XCTAssertEqual(read(c + "/edgectl/podA/main-0/cgroup.procs"), "4242", c) }
    }

    func testV1NamesAControllerThatIsNotMounted() {
        cgroup("memory/c", files: ["memory.limit_in_bytes", "cgroup.procs"])
        cgroup("cpu/c", files: ["cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.shares", "cgroup.procs"])
        let err = apply(v2: false, "c")
        XCTAssertNotNil(err)
        XCTAssertTrue(err?.contains("cgroup v1 controller pids is not mounted at \(root)/pids") == true, err ?? "")
        cgroup("pids/c", files: ["pids.max", "cgroup.procs"])
        // Without the devices hierarchy the container would reach every device: refused, with how to mount it.
        let devices = apply(v2: false, "c")
        XCTAssertTrue(devices?.contains("cgroup v1 controller devices is not mounted at \(root)/devices") == true, devices ?? "")
        XCTAssertTrue(devices?.contains("mount -t cgroup -o devices cgroup \(root)/devices") == true, devices ?? "")
    }

    func testOOMKillCountFromEitherVersion() {
        cgroup("c", files: [])
        XCTAssertNoThrow(try PosixFile.write(root + "/c/memory.events", Array("low 0\nhigh 0\nmax 5\noom 2\noom_kill 1\n".utf8)))
        XCTAssertEqual(edge_cgroup_oom_kills_at(root, 1, "c"), 1)
        cgroup("memory/c", files: [])
        XCTAssertNoThrow(try PosixFile.write(root + "/memory/c/memory.oom_control", Array("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n".utf8)))
        XCTAssertEqual(edge_cgroup_oom_kills_at(root, 0, "c"), 4)
        XCTAssertEqual(edge_cgroup_oom_kills_at(root, 1, "missing"), -1, "no cgroup: unknown, not zero")
    }

    func testRemoveTakesTheDirectoriesAway() {
        cgroup("c", files: [])
        for c in ["memory", "cpu", "pids", "devices"] { cgroup(c + "/c", files: []) }
        edge_cgroup_remove_at(root, 1, "c")
        XCTAssertNotEqual(access(root + "/c", F_OK), 0)
        edge_cgroup_remove_at(root, 0, "c")
        for c in ["memory", "cpu", "pids", "devices"] { XCTAssertNotEqual(access(root + "/" + c + "/c", F_OK), 0, c) }
    }
}
