import EdgeAPI

/// The query parameters of list and watch requests, checked up front so a bad
/// one is a 400 before any work is done. Numbers are read as upstream reads
/// them (int64; resourceVersion uint64) and kept within what the code after
/// can add to without trapping.
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelectorString?
    public var fieldSelector: FieldSelectorString?
    /// 0: no limit. At most `maxLimit` (a page of that many is every page).
    public var limit: Int = 0
    public var continueToken: ContinueToken?
    public var resourceVersion: String?
    /// `resourceVersion` as a number; 0 for "0" (any version will do).
    public var resourceVersionNumber: UInt64?
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int64?
    public var allowWatchBookmarks = false
    public var sendInitialEvents: Bool?

    /// Larger limits read as this one: more items than any store holds, and
    /// small enough that the store's page arithmetic cannot overflow (even where Int is 32 bits).
    public static let maxLimit = 1 << 30

    /// Everything, unfiltered.
    public init() {}

    /// `strategy` says which fields fieldSelector may name.
    public init(query: [String: String], strategy: any ResourceStrategy) throws {
        if let s = query["labelSelector"], !s.isEmpty { labelSelector = try LabelSelectorString(s) }
        if let s = query["fieldSelector"], !s.isEmpty {
            fieldSelector = try FieldSelectorString(s, allowed: strategy.fieldSelectorPaths)
        }
        if let l = query["limit"], !l.isEmpty {
            let n = try QueryInteger.int64(l)
            guard n >= 0 else { throw APIError.badRequest("limit must be a non-negative integer, got \"\(l)\"") }
            limit = Int(min(n, Int64(Self.maxLimit)))
        }
        if let c = query["continue"], !c.isEmpty { continueToken = try ContinueToken(decoding: c) }
        resourceVersion = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        resourceVersionMatch = query["resourceVersionMatch"].flatMap { $0.isEmpty ? nil : $0 }
        if let rv = resourceVersion {
            guard let n = UInt64(rv) else { throw APIError.badRequest("resourceVersion must be an integer, got \"\(rv)\"") }
            resourceVersionNumber = n
        }
        if let m = resourceVersionMatch, !["NotOlderThan", "Exact"].contains(m) {
            throw APIError.badRequest("resourceVersionMatch: Unsupported value: \"\(m)\": supported values: \"Exact\", \"NotOlderThan\"")
        }
        if resourceVersionMatch != nil && resourceVersion == nil {
            throw APIError.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
        }
        if continueToken != nil && resourceVersion != nil && resourceVersion != "0" {
            throw APIError.badRequest("specifying resource version is not allowed when using continue")
        }
        if let t = query["timeoutSeconds"], !t.isEmpty {
            let n = try QueryInteger.int64(t)
            guard n >= 0 else { throw APIError.badRequest("timeoutSeconds must be a non-negative integer") }
            timeoutSeconds = n
        }
        allowWatchBookmarks = query["allowWatchBookmarks"] == "true"
        if let s = query["sendInitialEvents"] { sendInitialEvents = s == "true" }
    }

    /// A resourceVersion that asks for a state at least that new (not "0", not empty).
    public var minimumRevision: UInt64? {
        guard let n = resourceVersionNumber, n > 0 else { return nil }
        return n
    }

    public func matches(_ obj: JSON) -> Bool {
        if let l = labelSelector, !l.matches(obj[path: ["metadata", "labels"]]?.object) { return false }
        if let f = fieldSelector, !f.matches(obj) { return false }
        return true
    }

    /// A watch of one object by name (GET .../pods/x?watch=true): its name is a field selector.
    public mutating func selectName(_ name: String) {
        fieldSelector = FieldSelectorString(names: name)
    }
}
