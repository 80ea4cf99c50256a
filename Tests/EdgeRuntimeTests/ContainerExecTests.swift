import XCTest
@testable import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Root-only: processes exec'd into a real busybox container share its
/// namespaces and cgroup, run as the identity asked, and get a terminal.
final class ContainerExecTests: XCTestCase {
    var rootfs = ""
    var containerPID: Int32 = 0
    let cgroup = "edgectl-test/exec-\(getpid())"

    override func setUpWithError() throws {
        try XCTSkipUnless(geteuid() == 0, "the runtime needs root")
        try XCTSkipUnless(access("/bin/busybox", X_OK) == 0, "needs busybox-static")
        rootfs = try BusyboxRootfs.make()
        XCTAssertEqual(system("echo inside > \(rootfs)/marker"), 0)
        var spec = ContainerSpec(rootfs: rootfs, args: ["sh", "-c", "exec sleep 60"], hostname: "box")
        spec.cgroup = cgroup
        containerPID = try ContainerRunner.start(spec)
    }

    override func tearDown() {
        if containerPID > 0 {
            kill(containerPID, SIGKILL)
            _ = ContainerRunner.wait(containerPID)
        }
        ContainerRunner.removeCgroup(cgroup)
        ContainerRunner.removeCgroup("edgectl-test")
        if !rootfs.isEmpty { BusyboxRootfs.remove(rootfs) }
    }

    static func readAll(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break } // EOF, or EIO once a pty's last slave closes
            out += buf[0..<n]
        }
        close(fd)
        return String(decoding: out, as: UTF8.self)
    }

    static func waitExit(_ pid: Int32) -> ContainerRunner.Exit {
        for _ in 0..<500 {
            if let e = ContainerExec.poll(pid) { return e }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        return ContainerRunner.wait(pid)
    }

    func testSharesTheContainersNamespacesAndCgroup() throws {
        var spec = ContainerExec.Spec(containerPID: containerPID,
                                      args: ["sh", "-c", "echo $$; id -u; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /marker; cat /proc/self/cgroup; ls /proc/self/fd; echo err >&2; exit 4"])
        spec.uid = 1000
        spec.gid = 1000
        spec.cgroup = cgroup
        let p = try ContainerExec.start(spec)
        XCTAssertNil(p.stdin)
        XCTAssertNil(p.terminal)
        let out = Self.readAll(try XCTUnwrap(p.stdout))
        let err = Self.readAll(try XCTUnwrap(p.stderr))
        XCTAssertEqual(Self.waitExit(p.pid), .exited(4))
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 5, out)
        let innerPID = try XCTUnwrap(Int(lines[0]), out)
        XCTAssertTrue(innerPID > 1 && innerPID < 100, "a pid from the container's pid namespace: \(out)")
        XCTAssertEqual(lines[1], "1000")
        XCTAssertEqual(lines[2], "box", "the container's hostname")
        XCTAssertEqual(lines[3].trimmedOfSpaces, "sleep 60", "the container's pid 1")
        XCTAssertEqual(lines[4], "inside", "the container's root filesystem")
        XCTAssertTrue(out.contains(cgroup), "joined the container's cgroup: \(out)")
        XCTAssertEqual(Array(lines.suffix(4)).sorted(), ["0", "1", "2", "3"], "stdio plus the directory ls reads: \(out)")
        XCTAssertEqual(err, "err\n")
    }

    func testStdinPipeAndMissingCommand() throws {
        var spec = ContainerExec.Spec(containerPID: containerPID, args: ["sh", "-c", "read x; echo got-$x"])
        spec.stdin = true
        spec.stderr = false
        let p = try ContainerExec.start(spec)
        let msg = Array("hello\n".utf8)
        XCTAssertEqual(write(try XCTUnwrap(p.stdin), msg, msg.count), msg.count)
        close(p.stdin!)
        XCTAssertEqual(Self.readAll(try XCTUnwrap(p.stdout)), "got-hello\n")
        XCTAssertEqual(Self.waitExit(p.pid), .exited(0))

        XCTAssertThrowsError(try ContainerExec.start(ContainerExec.Spec(containerPID: containerPID, args: ["no-such-tool"]))) {
            XCTAssertTrue("\($0)".contains("not found in PATH"), "\($0)")
        }
    }

    func testInteractiveTerminal() throws {
        var spec = ContainerExec.Spec(containerPID: containerPID, args: ["sh"])
        spec.tty = true
        spec.stdin = true
        spec.env.append("TERM=dumb")
        let p = try ContainerExec.start(spec)
        let master = try XCTUnwrap(p.terminal)
        p.resize(columns: 100, rows: 40)
        let script = Array("tty; stty size; echo hi-$((1+2)); echo pid1=$(cat /proc/1/cmdline | tr '\\0' ' '); exit 7\n".utf8)
        XCTAssertEqual(write(master, script, script.count), script.count)
        let out = Self.readAll(master)
        XCTAssertEqual(Self.waitExit(p.pid), .exited(7))
        XCTAssertTrue(out.contains("/dev/pts/0"), "a terminal from the container's devpts: \(out)")
        XCTAssertTrue(out.contains("40 100"), "the size set through TIOCSWINSZ: \(out)")
        XCTAssertTrue(out.contains("hi-3"), out)
        XCTAssertTrue(out.contains("pid1=sleep 60"), out)
    }

    func testContainerThatIsGone() throws {
        XCTAssertThrowsError(try ContainerExec.start(ContainerExec.Spec(containerPID: 999_999_9, args: ["true"]))) {
            XCTAssertTrue("\($0)".contains("not running"), "\($0)")
        }
    }
}
