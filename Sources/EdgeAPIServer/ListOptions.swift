import EdgeAPI

/// The query parameters of list and watch requests, checked up front so a bad
/// one is a 400 before any work is done.
struct ListOptions: Sendable {
    var labelSelector: LabelSelectorString?
    var fieldSelector: FieldSelectorString?
    var limit: Int = 0
    var continueToken: ContinueToken?
    var resourceVersion: String?
    var resourceVersionMatch: String?
    var timeoutSeconds: Int?
    var allowWatchBookmarks = false
    var sendInitialEvents: Bool?

    init(query: [String: String], resource: ResourceInfo) throws {
        if let s = query["labelSelector"], !s.isEmpty { labelSelector = try LabelSelectorString(s) }
        if let s = query["fieldSelector"], !s.isEmpty {
            fieldSelector = try FieldSelectorString(s, allowed: resource.fieldSelectorPaths, resource: resource)
        }
        if let l = query["limit"], !l.isEmpty {
            guard let n = Int(l), n >= 0 else { throw APIError.badRequest("limit must be a non-negative integer, got \"\(l)\"") }
            limit = n
        }
        if let c = query["continue"], !c.isEmpty { continueToken = try ContinueToken(decoding: c) }
        resourceVersion = query["resourceVersion"].flatMap { $0.isEmpty ? nil : $0 }
        resourceVersionMatch = query["resourceVersionMatch"].flatMap { $0.isEmpty ? nil : $0 }
        if let rv = resourceVersion, Int64(rv) == nil {
            throw APIError.badRequest("resourceVersion must be an integer, got \"\(rv)\"")
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
            guard let n = Int(t), n >= 0 else { throw APIError.badRequest("timeoutSeconds must be a non-negative integer") }
            timeoutSeconds = n
        }
        allowWatchBookmarks = query["allowWatchBookmarks"] == "true"
        if let s = query["sendInitialEvents"] { sendInitialEvents = s == "true" }
    }

    func matches(_ obj: JSON) -> Bool {
        if let l = labelSelector, !l.matches(obj[path: ["metadata", "labels"]]?.object) { return false }
        if let f = fieldSelector, !f.matches(obj) { return false }
        return true
    }
}
