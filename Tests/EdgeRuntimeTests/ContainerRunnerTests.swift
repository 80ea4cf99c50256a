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
        let (exit, out) = try run("hostname; echo pid=$$; grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status")
        XCTAssertEqual(exit, .exited(0), out)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "box")
        XCTAssertTrue(lines.contains("pid=1"), out)
        XCTAssertTrue(lines.contains("CapEff:\t00000000a80425fb"), "the 14 default capabilities: \(out)")
        XCTAssertTrue(lines.contains("CapBnd:\t00000000a80425fb"), out)
        XCTAssertTrue(lines.contains("Seccomp:\t2"), out)
        XCTAssertTrue(lines.contains("NoNewPrivs:\t1"), out)
    }

    func testExitCodesUserAndFileDescriptors() throws {
        XCTAssertEqual(try run("exit 3").0, .exited(3))
        let (_, ids) = try run("id -u; id -g; grep CapEff /proc/self/status") { $0.uid = 1000; $0.gid = 1000 }
        XCTAssertEqual(ids.split(separator: "\n").prefix(2), ["1000", "1000"])
        XCTAssertTrue(ids.contains("CapEff:\t0000000000000000"), "a non-root user keeps no effective capabilities: \(ids)")
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
