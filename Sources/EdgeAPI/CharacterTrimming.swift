/// Trimming one character from both ends (header values, query parts) without Foundation.
extension Substring {
    public func trimmingCharacters(in c: Character) -> String {
        var s = self
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}

extension String {
    public func trimmingCharacters(in c: Character) -> String { Substring(self).trimmingCharacters(in: c) }
}
