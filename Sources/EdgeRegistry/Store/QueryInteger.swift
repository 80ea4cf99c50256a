import EdgeAPI

/// Integer query parameters read as upstream's parameter codec reads them
/// (strconv.ParseInt, base 10, 64 bits): anything else is a 400 in Go's words,
/// so `limit=9223372036854775808` is refused instead of reaching arithmetic.
public enum QueryInteger {
    public static func int64(_ text: String) throws -> Int64 {
        if let n = Int64(text) { return n }
        throw APIError.badRequest("strconv.ParseInt: parsing \(JSONSerializer.string(.string(text))): \(reason(text))")
    }

    /// resourceVersion is a uint64 upstream (strconv.ParseUint).
    public static func uint64(_ text: String) throws -> UInt64 {
        if let n = UInt64(text) { return n }
        throw APIError.badRequest("strconv.ParseUint: parsing \(JSONSerializer.string(.string(text))): \(reason(text))")
    }

    /// Go tells a number too big for its type from one that is not a number.
    static func reason(_ text: String) -> String {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? "value out of range" : "invalid syntax"
    }
}
