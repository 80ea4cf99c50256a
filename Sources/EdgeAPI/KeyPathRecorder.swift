/// The parser's slow pass for repeated keys: keeps the path of the value being
/// read and records where each key path first appears and where one repeats.
struct KeyPathRecorder {
    private var stack: [String] = []
    private var ordinal = 0
    private var reported: Set<String> = []
    private(set) var report = DuplicateKeys()

    /// Upstream stops collecting strict decoding errors at 100.
    static let maxReported = 100

    private var current: String { stack.last ?? "" }

    mutating func enterKey(_ key: String, repeated: Bool) {
        let path = current.isEmpty ? key : current + "." + key
        ordinal += 1
        if report.firstOccurrence[path] == nil { report.firstOccurrence[path] = ordinal }
        if repeated, report.paths.count < Self.maxReported, reported.insert(path).inserted {
            report.paths.append(path)
            report.ordinals.append(ordinal)
        }
        stack.append(path)
    }

    mutating func enterIndex(_ i: Int) {
        stack.append(current + "[\(i)]")
    }

    mutating func leave() {
        stack.removeLast()
    }
}
