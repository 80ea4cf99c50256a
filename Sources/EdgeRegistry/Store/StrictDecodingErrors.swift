import EdgeAPI

/// Upstream's strict decoding findings for one body, worded and ordered as its
/// decoder reports them: `duplicate field "spec.paused"` and
/// `unknown field "spec.foo"` in document order, a field both unknown and
/// repeated (or inside an unknown one) named once as unknown, at most 100.
enum StrictDecodingErrors {
    static let limit = 100

    static func list(unknown: [String], duplicates: DuplicateKeys) -> [String] {
        var entries: [(ordinal: Int, text: String)] = []
        for (path, ordinal) in zip(duplicates.paths, duplicates.ordinals) where !unknown.contains(where: { covers($0, path) }) {
            entries.append((ordinal, "duplicate field \"\(path)\""))
        }
        // Without repeats there is no ordinal table: unknown fields keep their (document) order, after any repeats of a patch.
        for (i, path) in unknown.enumerated() {
            entries.append((duplicates.firstOccurrence[path] ?? Int.max - unknown.count + i, "unknown field \"\(path)\""))
        }
        entries.sort { $0.ordinal < $1.ordinal }
        return entries.prefix(limit).map(\.text)
    }

    /// Whether `path` is `field` or lies inside it.
    static func covers(_ field: String, _ path: String) -> Bool {
        guard path.hasPrefix(field) else { return false }
        if path.count == field.count { return true }
        let next = path[path.index(path.startIndex, offsetBy: field.count)]
        return next == "." || next == "["
    }
}
