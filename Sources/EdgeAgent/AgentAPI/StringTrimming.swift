extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP header value padding).
    var trimmedSpaces: String {
        let isPad: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isPad($0) }), let last = lastIndex(where: { !isPad($0) }) else { return "" }
        return String(self[first...last])
    }
}
