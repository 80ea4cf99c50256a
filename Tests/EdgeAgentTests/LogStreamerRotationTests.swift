import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeAgent

/// A follower that fell behind by two rotations reads each rotated file in turn, none skipped.
final class LogStreamerRotationTests: XCTestCase {
    func write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }

    func content(_ fd: Int32) -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buf, buf.count, 0)
        return String(decoding: buf[0..<max(0, n)], as: UTF8.self)
    }

    func testTheFileAfterOursIsNextNotTheNewest() throws {
        var template = Array("/tmp/edgectl-logrot-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        defer { _ = ["0.log", "0.log.1", "0.log.2"].map { unlink(dir + "/" + $0) }; rmdir(dir) }
        let log = dir + "/0.log"
        write(log, "first\n")
        let fd = open(log, O_RDONLY)
        defer { close(fd) }
        XCTAssertNil(LogStreamer.reopenIfRotated(log, fd), "not rotated yet")
        // Two rotations while the follower was reading "first".
        rename(log, log + ".1"); write(log, "second\n")
        rename(log + ".1", log + ".2"); rename(log, log + ".1"); write(log, "third\n")
        let next = try XCTUnwrap(LogStreamer.reopenIfRotated(log, fd))
        XCTAssertEqual(content(next), "second\n")
        let last = try XCTUnwrap(LogStreamer.reopenIfRotated(log, next))
        XCTAssertEqual(content(last), "third\n")
        XCTAssertNil(LogStreamer.reopenIfRotated(log, last))
        close(next); close(last)
    }
}
