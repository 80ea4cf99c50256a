#if canImport(Glibc)
import Glibc
#endif

/// One test class and its test methods, as the generated main lists them.
public struct XCTSuiteEntry {
    public typealias Test = (name: String, run: (XCTestCase) async throws -> Void)
    let name: String
    let type: XCTestCase.Type
    let tests: [Test]

    public init(_ name: String, _ type: XCTestCase.Type, _ tests: [Test]) {
        self.name = name
        self.type = type
        self.tests = tests
    }
}

/// Runs the suites one test at a time, each on a fresh instance, and returns the
/// exit status (0: every test passed or was skipped). Arguments:
///   --filter TEXT   run only tests whose "Suite/test" name contains TEXT (repeatable)
///   --skip TEXT     leave out tests whose name contains TEXT (repeatable)
///   --list          print the test names and run nothing
public func XCTRunTests(_ suites: [XCTSuiteEntry], arguments: [String] = CommandLine.arguments) async -> Int32 {
    var filters: [String] = [], skips: [String] = [], listOnly = false
    var i = 1
    while i < arguments.count {
        switch arguments[i] {
        case "--filter" where i + 1 < arguments.count: filters.append(arguments[i + 1]); i += 1
        case "--skip" where i + 1 < arguments.count: skips.append(arguments[i + 1]); i += 1
        case "--list": listOnly = true
        default: print("unknown argument \(arguments[i]) (--filter TEXT, --skip TEXT, --list)"); return 2
        }
        i += 1
    }
    func selected(_ full: String) -> Bool {
        (filters.isEmpty || filters.contains { full.contains($0) }) && !skips.contains { full.contains($0) }
    }
    var executed = 0, failed = 0, skipped = 0
    var failedNames: [String] = []
    let clock = ContinuousClock()
    let started = clock.now
    for suite in suites {
        let tests = suite.tests.filter { selected("\(suite.name)/\($0.name)") }
        if tests.isEmpty { continue }
        if listOnly {
            for t in tests { print("\(suite.name)/\(t.name)") }
            continue
        }
        print("Test Suite '\(suite.name)' started.")
        suite.type.setUp()
        for test in tests {
            let full = "\(suite.name).\(test.name)"
            Failures.currentTest = full
            print("Test Case '\(full)' started.")
            fflush(stdout)
            let t0 = clock.now
            let outcome = await runOne(suite.type, test, name: full)
            let seconds = (clock.now - t0).seconds
            executed += 1
            let failures = Failures.take()
            switch outcome {
            case .skipped(let why):
                skipped += 1
                print("Test Case '\(full)' skipped (\(seconds) seconds): \(why)")
            case .passed where failures.isEmpty:
                print("Test Case '\(full)' passed (\(seconds) seconds).")
            default:
                failed += 1
                failedNames.append(full)
                print("Test Case '\(full)' failed (\(seconds) seconds).")
            }
            fflush(stdout)
        }
        suite.type.tearDown()
        print("Test Suite '\(suite.name)' finished.")
    }
    if listOnly { return 0 }
    let total = (clock.now - started).seconds
    print("Executed \(executed) tests, with \(failed) failures (\(skipped) skipped) in \(total) seconds")
    for name in failedNames { print("  failed: \(name)") }
    fflush(stdout)
    return failed == 0 ? 0 : 1
}

enum Outcome {
    case passed, failed, skipped(String)
}

/// Set-up, the test, tear-down, in XCTest's order; a thrown error fails the test
/// (XCTSkip skips it) and tear-down still runs once set-up has started.
func runOne(_ type: XCTestCase.Type, _ test: XCTSuiteEntry.Test, name: String) async -> Outcome {
    let instance = type.init()
    instance.name = name
    var outcome = Outcome.passed
    func fail(_ error: any Error, _ stage: String) {
        if let skip = error as? XCTSkip {
            if case .passed = outcome { outcome = .skipped(skip.message ?? "skipped") }
            return
        }
        if error is XCTUnwrapError { outcome = .failed; return }
        Failures.record("\(stage) threw error \"\(error)\"", "", file: #filePath, line: #line)
        outcome = .failed
    }
    // In an async context a bare call picks the async overload: name the sync ones by type.
    let syncSetUp: () -> Void = instance.setUp
    let syncTearDown: () -> Void = instance.tearDown
    do {
        try await instance.setUp()
        try instance.setUpWithError()
        syncSetUp()
        try await test.run(instance)
    } catch {
        fail(error, "test")
    }
    for block in instance.teardownBlocks.reversed() {
        do { try await block() } catch { fail(error, "teardown block") }
    }
    syncTearDown()
    do { try instance.tearDownWithError() } catch { fail(error, "tearDownWithError") }
    do { try await instance.tearDown() } catch { fail(error, "tearDown") }
    return outcome
}

extension Duration {
    /// "0.012"
    var seconds: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        let whole = ms / 1000, frac = ms % 1000
        return "\(whole)." + String(repeating: "0", count: 3 - String(frac).count) + String(frac)
    }
}
