import EdgeAPI

/// The query of `GET /containerLogs/...`, as kubelet reads PodLogOptions.
struct LogOptions: Equatable {
    var follow = false
    var previous = false
    var timestamps = false
    /// Whole lines from the end; nil: all.
    var tailLines: Int?
    var limitBytes: Int?
    /// Records older than this are skipped (the later of sinceSeconds and sinceTime).
    var since: Timestamp?

    init() {}

    /// Throws a message for a malformed value (kubelet answers 400).
    init(query: AgentQuery, now: Timestamp = .now()) throws(AgentAPIError) {
        func flag(_ name: String) throws(AgentAPIError) -> Bool {
            guard let v = query.first(name) else { return false }
            switch v.lowercased() {
            case "", "true", "1": return true
            case "false", "0": return false
            default: throw .badRequest("invalid value \(v) for \(name): expected true or false")
            }
        }
        func number(_ name: String) throws(AgentAPIError) -> Int? {
            guard let v = query.first(name) else { return nil }
            guard let n = Int(v), n >= 0 else { throw .badRequest("invalid value \(v) for \(name): expected a non-negative integer") }
            return n
        }
        follow = try flag("follow")
        previous = try flag("previous")
        timestamps = try flag("timestamps")
        tailLines = try number("tailLines")
        limitBytes = try number("limitBytes")
        if let s = try number("sinceSeconds") { since = now.adding(seconds: -Int64(s)) }
        if let t = query.first("sinceTime") {
            guard let time = Timestamp(rfc3339: t) else { throw .badRequest("invalid value \(t) for sinceTime: expected RFC 3339") }
            if since.map({ time > $0 }) ?? true { since = time }
        }
    }
}
