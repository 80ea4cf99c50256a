import Logging
import Synchronization

/// A swift-log handler that keeps what was logged, for tests that check what
/// a component says (and how often).
public struct RecordingLogHandler: LogHandler {
    public final class Lines: Sendable {
        public init() {}
        private let lines = Mutex<[(Logger.Level, String)]>([])
        public func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }
        public var all: [(Logger.Level, String)] { lines.withLock { $0 } }
        /// How many lines at `level` contain `text`.
        public func count(_ level: Logger.Level, containing text: String) -> Int {
            all.filter { $0.0 == level && $0.1.contains(text) }.count
        }
    }

    let lines: Lines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) { lines.append(event.level, event.message.description) }

    /// A logger that records into `lines`.
    public static func logger(_ lines: Lines) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(lines: lines) }
    }
}
