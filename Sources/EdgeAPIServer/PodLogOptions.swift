import EdgeAPI
import EdgeRegistry

/// The query of pods/log checked as upstream checks PodLogOptions before any
/// agent is asked: numbers are int64 (400 otherwise) and then validated
/// (422: tailLines ≥ 0, limitBytes > 0, sinceSeconds > 0, not both sinceSeconds and sinceTime).
enum PodLogOptions {
    static func validate(_ query: [(String, String)], pod: String) throws {
        func first(_ k: String) -> String? { query.first { $0.0 == k }?.1 }
        func number(_ k: String) throws -> Int64? {
            guard let v = first(k), !v.isEmpty else { return nil }
            return try QueryInteger.int64(v)
        }
        let tailLines = try number("tailLines")
        let limitBytes = try number("limitBytes")
        let sinceSeconds = try number("sinceSeconds")
        let sinceTime = first("sinceTime").flatMap { $0.isEmpty ? nil : $0 }
        if let t = sinceTime, Timestamp(rfc3339: t) == nil {
            throw APIError.badRequest("parsing time \(JSONSerializer.string(.string(t))) as \"2006-01-02T15:04:05Z07:00\": cannot parse \(JSONSerializer.string(.string(t))) as \"2006\"")
        }
        var errs: [FieldError] = []
        if let t = tailLines, t < 0 { errs.append(.invalid("tailLines", .int(t), "must be greater than or equal to 0")) }
        if let l = limitBytes, l < 1 { errs.append(.invalid("limitBytes", .int(l), "must be greater than 0")) }
        if sinceSeconds != nil && sinceTime != nil {
            errs.append(.forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"))
        } else if let s = sinceSeconds, s < 1 {
            errs.append(.invalid("sinceSeconds", .int(s), "must be greater than 0"))
        }
        guard !errs.isEmpty else { return }
        throw APIError(code: 422, reason: "Invalid", message: FieldError.statusMessage(kind: "PodLogOptions", group: "", name: pod, errs),
                       details: .init(name: pod, kind: "PodLogOptions",
                                      causes: errs.map { APIError.Cause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) }))
    }
}
