import XCTest

/// Waits until `condition` holds, checking it every `interval`, and records a test failure
/// naming `what` if the (scaled, see `TestDeadline`) `base` passes first. The one polling loop
/// the test targets share, so every wait stretches the same way under qemu-user.
public func eventually(_ what: String, within base: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
                       file: StaticString = #filePath, line: UInt = #line,
                       _ condition: () async throws -> Bool) async throws {
    if try await !TestDeadline.poll(within: base, every: interval, condition) {
        XCTFail("timed out waiting for \(what)", file: file, line: line)
    }
}
