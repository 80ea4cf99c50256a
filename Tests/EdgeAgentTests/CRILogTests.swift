import XCTest
import EdgeAPI
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

final class CRILogTests: XCTestCase {
    func record(_ s: String) -> CRILogRecord? { CRILogRecord(line: Array(s.utf8)[...]) }

    func render(_ lines: [String], _ o: LogOptions) -> String {
        var r = LogRenderer(options: o)
        return String(decoding: lines.compactMap(record).flatMap { r.render($0) }, as: UTF8.self)
    }

    let sample = [
        "2026-12-01T19:21:28.123456789Z stdout F one",
        "2026-12-01T19:21:29.5Z stderr P tw",
        "2026-12-01T19:21:30Z stderr F o",
        "2026-12-01T19:21:31.000000001Z stdout F three",
    ]

    func testParsing() throws {
        let r = try XCTUnwrap(record("2026-12-01T19:21:28.123456789Z stdout F hello world"))
        XCTAssertEqual(r.stream, .stdout)
        XCTAssertFalse(r.partial)
        XCTAssertEqual(String(decoding: r.content, as: UTF8.self), "hello world")
        XCTAssertEqual(r.time.nanoseconds, 123_456_789)
        XCTAssertEqual(record("2026-12-01T19:21:28Z stdout F ")?.content.count, 0, "an empty line")
        XCTAssertEqual(record("2026-12-01T19:21:28Z stdout P:x part").map { $0.partial }, true, "tags keep room for more fields")
        XCTAssertNil(record("garbage"))
        XCTAssertNil(record("2026-12-01T19:21:28Z stdin F x"))
        XCTAssertNil(record("2026-12-01T19:21:28Z stdout X x"))
    }

    func testPartialLinesJoinAndTimestampsPrefixEachLine() {
        XCTAssertEqual(render(sample, LogOptions()), "one\ntwo\nthree\n")
        var o = LogOptions()
        o.timestamps = true
        XCTAssertEqual(render(sample, o), """
            2026-12-01T19:21:28.123456789Z one
            2026-12-01T19:21:29.500000000Z two
            2026-12-01T19:21:31.000000001Z three

            """)
    }

    func testSinceAndLimitBytes() {
        var o = LogOptions()
        o.since = Timestamp(rfc3339: "2026-12-01T19:21:29.6Z")
        XCTAssertEqual(render(sample, o), "three\n", "a line is judged by its first record, so \"two\" goes whole")
        o = LogOptions()
        o.limitBytes = 6
        XCTAssertEqual(render(sample, o), "one\ntw")
        let q = AgentQuery("sinceSeconds=10&sinceTime=2026-12-01T19:21:00Z&tailLines=2&timestamps=true&follow=false")
        let now = Timestamp(rfc3339: "2026-12-01T19:21:30Z")!
        let parsed = try? LogOptions(query: q, now: now)
        XCTAssertEqual(parsed?.since, Timestamp(rfc3339: "2026-12-01T19:21:20Z"), "the later of the two")
        XCTAssertEqual(parsed?.tailLines, 2)
        XCTAssertEqual(parsed?.timestamps, true)
        XCTAssertThrowsError(try LogOptions(query: AgentQuery("tailLines=-1")))
    }

    func withLogFile(_ lines: [String], trailing: String = "", _ body: (String) async throws -> Void) async throws {
        var template = Array("/tmp/edgectl-log-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let text = Array((lines.map { $0 + "\n" }.joined() + trailing).utf8)
        XCTAssertEqual(write(fd, text, text.count), text.count)
        close(fd)
        try await body(path)
    }

    nonisolated static func read(_ path: String, _ o: LogOptions, running: @escaping @Sendable () -> Bool = { false }) async throws -> String {
        var out: [UInt8] = []
        var s = LogStreamer(path: path, options: o, isRunning: running)
        s.pollInterval = .milliseconds(10)
        try await s.run { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    func testTailCountsWholeLinesFromTheEnd() async throws {
        try await withLogFile(sample) { path in
            for (n, want) in [(0, ""), (1, "three\n"), (2, "two\nthree\n"), (3, "one\ntwo\nthree\n"), (9, "one\ntwo\nthree\n")] {
                var o = LogOptions()
                o.tailLines = n
                let got = try await Self.read(path, o)
                XCTAssertEqual(got, want, "tail \(n)")
            }
        }
        // Past one 64 KB block, and a last line still being written.
        let many = (0..<5000).map { "2026-12-01T19:21:28.000000000Z stdout F line \($0) padding padding" }
        try await withLogFile(many, trailing: "2026-12-01T19:21:29Z stdout F unfinished") { path in
            var o = LogOptions()
            o.tailLines = 2
            let got = try await Self.read(path, o)
            XCTAssertEqual(got, "line 4998 padding padding\nline 4999 padding padding\nunfinished\n")
        }
    }

    func testFollowStreamsAppendedLinesUntilTheContainerStops() async throws {
        try await withLogFile([sample[0]]) { path in
            let running = LockedFlag(true)
            var o = LogOptions()
            o.follow = true
            let reader = Task { [o] in try await CRILogTests.read(path, o, running: { running.value }) }
            try await Task.sleep(for: .milliseconds(50))
            let fd = open(path, O_WRONLY | O_APPEND)
            let more = Array("2026-12-01T19:21:40Z stdout P la\n2026-12-01T19:21:40Z stdout F ter\n".utf8)
            XCTAssertEqual(write(fd, more, more.count), more.count)
            close(fd)
            try await Task.sleep(for: .milliseconds(50))
            running.value = false
            let got = try await reader.value
            XCTAssertEqual(got, "one\nlater\n")
        }
    }
}

/// A flag tests flip from another task.
final class LockedFlag: @unchecked Sendable {
    private var v: Bool
    private var m = pthread_mutex_t()
    init(_ v: Bool) { self.v = v; pthread_mutex_init(&m, nil) }
    var value: Bool {
        get { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return v }
        set { pthread_mutex_lock(&m); v = newValue; pthread_mutex_unlock(&m) }
    }
}
