import XCTest
@testable import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The agent's start-up check that it can execute its own binary (its containers'
/// supervisor): the reason a machine cannot, in the kernel's words.
final class ExecProbeTests: XCTestCase {
    func testAProgramThatRunsAndExitsZeroPasses() {
        XCTAssertNil(ExecProbe.failure(running: "/bin/sh", ["-c", "exit 0"]))
    }

    func testExitStatusAndExecErrorsAreNamed() throws {
        XCTAssertEqual(ExecProbe.failure(running: "/bin/sh", ["-c", "exit 3"]), "/bin/sh -c exited with status 3")
        // A directory of its own that is then removed: a stray file at some fixed path cannot change the answer.
        var dirTemplate = Array("/tmp/exec-probe-dir-XXXXXX".utf8CString)
        let gone = dirTemplate.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        rmdir(gone)
        XCTAssertEqual(ExecProbe.failure(running: gone + "/edgectl", ["version"]),
                       "executing \(gone)/edgectl failed: No such file or directory")
        // What an ARM binary is to an x86_64 kernel without a binfmt_misc handler: bytes it cannot run.
        var template = Array("/tmp/exec-probe-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        XCTAssertGreaterThanOrEqual(fd, 0)
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x01, 0x01, 0x01, 0x00] + [UInt8](repeating: 0, count: 56)
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, bytes.count)
        fchmod(fd, 0o755)
        close(fd)
        XCTAssertEqual(ExecProbe.failure(running: path, ["version"]), "executing \(path) failed: Exec format error")
    }
}
