import Synchronization

/// Failures of the test that is running (tests run one at a time; a test's own
/// tasks may record from other threads, hence the lock).
enum Failures {
    private static let recorded = Mutex<[String]>([])
    nonisolated(unsafe) static var currentTest = ""

    static func record(_ what: String, _ message: String, file: StaticString, line: UInt) {
        let text = message.isEmpty ? what : "\(what) - \(message)"
        let entry = "\(file):\(line): error: \(currentTest) : \(text)"
        print(entry)
        recorded.withLock { $0.append(entry) }
    }

    /// The failures recorded since the last call.
    static func take() -> [String] {
        recorded.withLock { all in
            defer { all = [] }
            return all
        }
    }
}
