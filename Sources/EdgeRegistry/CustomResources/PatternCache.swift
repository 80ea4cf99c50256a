import Synchronization

/// Compiled `pattern` regular expressions, shared by every custom object
/// write: compiling once per definition, not once per value. Bounded, so a
/// stream of definitions with new patterns cannot grow it without end.
final class PatternCache: Sendable {
    static let shared = PatternCache()
    static let limit = 4096

    /// Regex is not declared Sendable; a compiled one is only read (its lazily built program is
    /// initialised atomically by the standard library), so it is shared across tasks.
    final class Compiled: @unchecked Sendable {
        /// Linear time, for the syntax it knows (nearly every pattern a definition has).
        let linear: LinearRegex?
        /// Swift's backtracking engine, only for the syntax LinearRegex does not know.
        let regex: Regex<AnyRegexOutput>?
        init(_ pattern: String) {
            linear = LinearRegex(pattern)
            regex = linear == nil ? try? Regex(pattern) : nil
        }

        var isValid: Bool { linear != nil || regex != nil }

        func matches(_ s: String) -> Bool {
            if let linear { return linear.matches(s) }
            if let regex { return (try? regex.firstMatch(in: s)) != nil }
            return true
        }
    }

    private let cache = Mutex<[String: Compiled]>([:])

    func compiled(_ pattern: String) -> Compiled {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let compiled = Compiled(pattern)
        cache.withLock { c in
            if c.count >= Self.limit { c.removeAll() }
            c[pattern] = compiled
        }
        return compiled
    }
}
