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
        let regex: Regex<AnyRegexOutput>?
        init(_ pattern: String) { regex = try? Regex(pattern) }
    }

    private let cache = Mutex<[String: Compiled]>([:])

    func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let hit = cache.withLock({ $0[pattern] }) { return hit.regex }
        let compiled = Compiled(pattern)
        cache.withLock { c in
            if c.count >= Self.limit { c.removeAll() }
            c[pattern] = compiled
        }
        return compiled.regex
    }
}
