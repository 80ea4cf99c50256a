import XCTest
@testable import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Root-only: real namespaces, mounts and cgroups around busybox (busybox-static).
final class ContainerRunnerTests: XCTestCase {
    var rootfs = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(geteuid() == 0, "the runtime needs root")
        try XCTSkipUnless(access("/bin/busybox", X_OK) == 0, "needs busybox-static")
        rootfs = try BusyboxRootfs.make()
    }

    override func tearDown() { if !rootfs.isEmpty { BusyboxRootfs.remove(rootfs) } }

    /// Runs a shell script in a container and returns (exit, stdout).
    func run(_ script: String, configure: (inout ContainerSpec) -> Void = { _ in }) throws -> (ContainerRunner.Exit, String) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        var spec = ContainerSpec(rootfs: rootfs, args: ["sh", "-c", script], hostname: "box")
        spec.stdio = [nil, fds[1], fds[1]]
        configure(&spec)
        let pid: Int32
        do { pid = try ContainerRunner.start(spec) } catch { close(fds[0]); close(fds[1]); throw error }
        close(fds[1])
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        close(fds[0])
        return (ContainerRunner.wait(pid), String(decoding: out, as: UTF8.self))
    }

    func testIsolationIdentityCapabilitiesAndSeccomp() throws {
        let (exit, out) = try run("hostname; echo pid=$$; grep -E '^(CapInh|CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status")
        XCTAssertEqual(exit, .exited(0), out)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "box")
        XCTAssertTrue(lines.contains("pid=1"), out)
        XCTAssertTrue(lines.contains("CapEff:\t00000000a80425fb"), "the 14 default capabilities: \(out)")
        XCTAssertTrue(lines.contains("CapInh:\t0000000000000000"), "nothing inheritable (CVE-2022-24769): \(out)")
        XCTAssertTrue(lines.contains("CapBnd:\t00000000a80425fb"), out)
        XCTAssertTrue(lines.contains("Seccomp:\t2"), out)
        XCTAssertTrue(lines.contains("NoNewPrivs:\t1"), out)
    }

    func testExitCodesUserAndFileDescriptors() throws {
        XCTAssertEqual(try run("exit 3").0, .exited(3))
        let (_, ids) = try run("id -u; id -g; grep -E '^Cap(Inh|Eff)' /proc/self/status") { $0.uid = 1000; $0.gid = 1000 }
        XCTAssertEqual(ids.split(separator: "\n").prefix(2), ["1000", "1000"])
        XCTAssertTrue(ids.contains("CapEff:\t0000000000000000"), "a non-root user keeps no effective capabilities: \(ids)")
        XCTAssertTrue(ids.contains("CapInh:\t0000000000000000"), "nor inheritable ones (was a80425fb): \(ids)")
        let leak = open("/etc/hostname", O_RDONLY)  // not close-on-exec: must still not reach the container
        defer { close(leak) }
        let (_, fds) = try run("ls /proc/self/fd")
        XCTAssertEqual(fds.split(separator: "\n").sorted(), ["0", "1", "2", "3"], "stdio plus the directory ls reads")
    }

    func testMaskedAndReadOnlyPathsAndSeccompRefusals() throws {
        let (_, out) = try run("""
            cat /proc/keys /proc/timer_list 2>/dev/null | wc -c; (echo 1 > /proc/sys/kernel/ostype) 2>/dev/null && echo wrote || echo ro
            unshare -n true 2>/dev/null && echo unshared || echo refused; mount -t tmpfs t /mnt 2>/dev/null && echo mounted || echo nomount
            """)
        XCTAssertEqual(out.split(separator: "\n").map { $0.trimmedOfSpaces }, ["0", "ro", "refused", "nomount"], out)
    }

    func testMemoryLimitAndOOMKill() throws {
        let cgroup = "edgectl-test/oom-\(getpid())"
        defer { ContainerRunner.removeCgroup(cgroup); ContainerRunner.removeCgroup("edgectl-test") }
        let (exit, _) = try run("x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived") {
            $0.cgroup = cgroup
            $0.limits.memoryBytes = 32 << 20
            $0.limits.pids = 64
        }
        XCTAssertEqual(exit, .signaled(9), "killed by the kernel's OOM killer")
        XCTAssertGreaterThanOrEqual(ContainerRunner.oomKills(cgroup), 1)
    }

    func testPrivilegedGetsTheHostsCapabilitiesAndACapabilityItLacksIsNamed() throws {
        let host = ContainerRunner.hostCapabilities
        let (exit, out) = try run("grep -E '^Cap(Eff|Bnd)' /proc/self/status") { $0.capabilities = host; $0.seccompRuntimeDefault = false }
        XCTAssertEqual(exit, .exited(0), out)
        var mask: UInt64 = 0
        for c in host { mask |= 1 << UInt64(c) }
        let hex = String(mask, radix: 16)
        XCTAssertTrue(out.contains("CapEff:\t" + String(repeating: "0", count: 16 - hex.count) + hex), "\(out) vs \(hex)")
        guard let lacking = (0..<64).first(where: { !host.contains($0) && $0 <= 40 }) else { return } // a host with every capability
        XCTAssertThrowsError(try run("true") { $0.capabilities = host.union([lacking]) }) { e in
            XCTAssertTrue("\(e)".contains("capabilities not in this host's bounding set: \(lacking)"), "\(e)")
        }
    }

    func testDevicesBeyondTheStandardOnesAreRefused() throws {
        let cgroup = "edgectl-test/devices-\(getpid())"
        defer { ContainerRunner.removeCgroup(cgroup); ContainerRunner.removeCgroup("edgectl-test") }
        let (_, out) = try run("""
            mknod /tmp/b b 7 0 2>&1; mknod /tmp/m c 1 1 2>&1; mknod /tmp/n c 1 3 && echo null-ok; ls /dev | tr '\\n' ' '
            """) { $0.cgroup = cgroup }
        XCTAssertTrue(out.contains("mknod: /tmp/b: Operation not permitted"), out)
        XCTAssertTrue(out.contains("mknod: /tmp/m: Operation not permitted"), out)
        XCTAssertTrue(out.contains("null-ok"), out)
        // As runc: /dev/core only where the kernel has /proc/kcore.
        let core = PosixFile.exists("/proc/kcore") ? "core " : ""
        XCTAssertTrue(out.contains(core + "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"), out)
    }

    func testMountTargetsStayInsideTheRootWhateverTheImageLinks() throws {
        var template = Array("/tmp/edgectl-host-XXXXXX".utf8CString)
        let host = String(cString: mkdtemp(&template)!)
        var vtemplate = Array("/tmp/edgectl-vol-XXXXXX".utf8CString)
        let volume = String(cString: mkdtemp(&vtemplate)!)
        defer { PosixFile.removeTree(host); PosixFile.removeTree(volume) }
        // The image links /data to a host directory, absolutely and through "..".
        XCTAssertEqual(symlink(host, rootfs + "/data"), 0)
        XCTAssertEqual(symlink(String(repeating: "../", count: 20) + String(host.dropFirst()), rootfs + "/up"), 0)
        XCTAssertNoThrow(try PosixFile.write(volume + "/file", Array("vol".utf8)))
        let (exit, out) = try run("cat \(host)/a/file \(host)/b/file; cat \(host)/log; ls -d /tmp/made") {
            $0.mounts = [.init(source: volume, target: "/data/a"), .init(source: volume, target: "/up/b", readOnly: true),
                         .init(source: volume + "/file", target: "/up/log"),
                         .init(source: volume, target: "/../../../../../../../../tmp/made")]
        }
        XCTAssertEqual(exit, .exited(0), out)
        XCTAssertEqual(out, "volvolvol/tmp/made\n")
        XCTAssertEqual(PosixFile.list(host), [], "nothing was made or mounted on the host")
    }

    func testSubPathLeadingOutOfItsVolumeIsRefusedAtMountTime() throws {
        var vtemplate = Array("/tmp/edgectl-vol-XXXXXX".utf8CString)
        let volume = String(cString: mkdtemp(&vtemplate)!)
        defer { PosixFile.removeTree(volume) }
        XCTAssertEqual(symlink("/", volume + "/root"), 0)
        XCTAssertEqual(mkdir(volume + "/data", 0o755), 0)
        XCTAssertEqual(symlink("data", volume + "/inner"), 0)
        XCTAssertThrowsError(try run("ls /host") { $0.mounts = [.init(source: volume, subPath: "root", target: "/host")] }) { e in
            XCTAssertTrue("\(e)".contains("subPath root leads out of its volume"), "\(e)")
        }
        let (exit, out) = try run("touch /m/x && ls /m") { $0.mounts = [.init(source: volume, subPath: "inner/new", target: "/m")] }
        XCTAssertEqual(exit, .exited(0), out)
        XCTAssertEqual(PosixFile.list(volume + "/data/new"), ["x"], "a link inside the volume is followed, the missing part made")
    }

    func testMissingExecutableIsReportedBeforeStart() throws {
        var spec = ContainerSpec(rootfs: rootfs, args: ["no-such-tool"], hostname: "box")
        spec.seccompRuntimeDefault = true
        XCTAssertThrowsError(try ContainerRunner.start(spec)) { e in
            XCTAssertTrue("\(e)".contains("no-such-tool not found"), "\(e)")
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces (the standard library's own: the armv7 test build has no Foundation).
    var trimmedOfSpaces: String { String(String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())) }
}
