import CEdgeRuntime
import EdgeRuntime
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The device allow-list against the kernel, on both cgroup versions this machine has: the v1 devices
/// controller, and a BPF_PROG_TYPE_CGROUP_DEVICE program attached to a directory of the cgroup v2 tree
/// (which accepts device programs even with no controller enabled, as on a v1/v2 hybrid host). A shell is
/// moved into the cgroup and tries what a pod would: mknod of a block device, open of an existing block
/// device node, and the standard devices. Root only, and it fails (does not skip) without root: CI is root.
final class DeviceCgroupTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        guard geteuid() == 0 else {
            XCTFail("DeviceCgroupTests need root (cgroups, bpf, device nodes); CI runs them as root")
            throw XCTSkip("not root")
        }
        var template = Array("/tmp/edgectl-devices-XXXXXX".utf8CString)
        guard let d = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        dir = String(cString: d)
        // The host's loop0 (7:0), as a hostPath or an image would bring it into a container.
        XCTAssertEqual(mknod(dir + "/blk", S_IFBLK | 0o600, makedev(7, 0)), 0, String(cString: strerror(errno)))
    }

    override func tearDown() { if !dir.isEmpty { PosixFile.removeTree(dir) } }

    /// Typed steps: Swift 6.2 (the boards' compiler) gives up on this as one expression.
    func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let majorBits: UInt32 = (major & 0xfff) << 8
        let minorLow: UInt32 = minor & 0xff
        let minorHigh: UInt32 = (minor & ~0xff) << 12
        return dev_t(majorBits | minorLow | minorHigh)
    }

    static let probe = """
        until [ -e "$1/go" ]; do sleep 0.02; done
        mknod "$1/new-blk" b 7 0 2>/dev/null && echo mknod-block-allowed || echo mknod-block-refused
        mknod "$1/new-mem" c 1 1 2>/dev/null && echo mknod-mem-allowed || echo mknod-mem-refused
        mknod "$1/new-null" c 1 3 2>/dev/null && echo mknod-null-allowed || echo mknod-null-refused
        (exec 3< "$1/blk") 2>/dev/null && echo open-block-allowed || echo open-block-refused
        (exec 3< /dev/null) 2>/dev/null && echo open-null-allowed || echo open-null-refused
        """

    /// Runs the probe in a shell that `place` moves into a cgroup while it waits; returns its lines.
    func probe(place: (pid_t) -> String?) throws -> [String] {
        let out = dir + "/out"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        let args = ["/bin/sh", "-c", Self.probe, "probe", dir]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // An environment of its own: `environ` comes with Foundation, which the armv7 test build has not.
        var env: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { env.forEach { free($0) } }
        XCTAssertEqual(posix_spawn(&pid, "/bin/sh", &actions, nil, &argv, &env), 0)
        close(fd)
        if let failure = place(pid) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            XCTFail(failure)
            return []
        }
        XCTAssertNoThrow(try PosixFile.write(dir + "/go", []))
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: PosixFile.read(out) ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    let restricted = ["mknod-block-refused", "mknod-mem-refused", "mknod-null-allowed", "open-block-refused", "open-null-allowed"]

    func apply(root: String, v2: Bool, cgroup: String, allDevices: Bool, pid: pid_t) -> String? {
        var err = [CChar](repeating: 0, count: 512)
        var limits = edge_cgroup_limits(memory_bytes: 0, cpu_quota_us: 0, cpu_period_us: 0, cpu_shares: 0, pids: 0,
                                        all_devices: allDevices ? 1 : 0)
        return edge_cgroup_apply_at(root, v2 ? 1 : 0, cgroup, &limits, pid, &err, err.count) == 0 ? nil : String(cString: err)
    }

    func testWithoutAnyPolicyEverythingOpens() throws {
        // The control: the same probe outside any device policy, so the refusals below are the policy's.
        XCTAssertEqual(try probe { _ in nil }, ["mknod-block-allowed", "mknod-mem-allowed", "mknod-null-allowed", "open-block-allowed",
                                                "open-null-allowed"])
    }

    func testV1DevicesControllerAllowsOnlyTheStandardCharacterDevices() throws {
        guard PosixFile.exists("/sys/fs/cgroup/devices/devices.allow") else {
            return XCTFail("no cgroup v1 devices hierarchy at /sys/fs/cgroup/devices on this host")
        }
        let cgroup = "edgectl-test/devices-\(getpid())"
        defer { edge_cgroup_remove_at("/sys/fs/cgroup", 0, cgroup); edge_cgroup_remove_at("/sys/fs/cgroup", 0, "edgectl-test") }
        XCTAssertEqual(try probe { self.apply(root: "/sys/fs/cgroup", v2: false, cgroup: cgroup, allDevices: false, pid: $0) }, restricted)
        let list = String(decoding: PosixFile.read("/sys/fs/cgroup/devices/\(cgroup)/devices.list") ?? [], as: UTF8.self)
        XCTAssertEqual(list.split(separator: "\n").sorted(), ["c 136:* rwm", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                                                             "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm"])
    }

    func testV2DeviceProgramAllowsOnlyTheStandardCharacterDevices() throws {
        guard let v2 = cgroup2Mount() else { return XCTFail("no cgroup2 mount on this host to attach a device program to") }
        let cgroup = "edgectl-test/devices-\(getpid())"
        defer { edge_cgroup_remove_at(v2, 1, cgroup); edge_cgroup_remove_at(v2, 1, "edgectl-test") }
        XCTAssertEqual(try probe { self.apply(root: v2, v2: true, cgroup: cgroup, allDevices: false, pid: $0) }, restricted)
    }

    func testPrivilegedKeepsEveryDevice() throws {
        guard let v2 = cgroup2Mount() else { return XCTFail("no cgroup2 mount on this host") }
        let cgroup = "edgectl-test/devices-all-\(getpid())"
        defer { edge_cgroup_remove_at(v2, 1, cgroup); edge_cgroup_remove_at(v2, 1, "edgectl-test") }
        XCTAssertEqual(try probe { self.apply(root: v2, v2: true, cgroup: cgroup, allDevices: true, pid: $0) }.first, "mknod-block-allowed")
    }

    /// Where the unified hierarchy is mounted: /sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified on a hybrid one.
    func cgroup2Mount() -> String? {
        let mounts = String(decoding: PosixFile.read("/proc/self/mounts") ?? [], as: UTF8.self)
        for line in mounts.split(separator: "\n") {
            let fields: [Substring] = line.split(separator: " ")
            if fields.count > 2 && fields[2] == "cgroup2" { return String(fields[1]) }
        }
        return nil
    }
}
