/// A failure the API server reports as a `Status` object with an HTTP code,
/// worded like kube-apiserver so clients that match on reason and message work.
public struct APIError: Error, Sendable, Equatable {
    public var code: Int
    /// StatusReason: NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ...
    public var reason: String
    public var message: String
    public var details: Details?

    public struct Details: Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
                    causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// The `Status` object sent as the response body, its members in metav1.Status' order
    /// (kind, apiVersion, metadata, status, message, reason, details, code), empty ones left out as upstream's omitempty.
    public var status: JSON {
        var s: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure"]
        if !message.isEmpty { s["message"] = .string(message) }
        if !reason.isEmpty { s["reason"] = .string(reason) }
        if let d = details {
            // StatusDetails' fields are all omitempty upstream: an empty group (the core group) is left out.
            var dj = JSON.object(JSONObject())
            if let n = d.name, !n.isEmpty { dj["name"] = .string(n) }
            if let g = d.group, !g.isEmpty { dj["group"] = .string(g) }
            if let k = d.kind, !k.isEmpty { dj["kind"] = .string(k) }
            if let u = d.uid, !u.isEmpty { dj["uid"] = .string(u) }
            if !d.causes.isEmpty {
                // StatusCause's fields are omitempty upstream.
                dj["causes"] = .array(d.causes.map { c in
                    var j = JSON.object(JSONObject())
                    if !c.reason.isEmpty { j["reason"] = .string(c.reason) }
                    if !c.message.isEmpty { j["message"] = .string(c.message) }
                    if !c.field.isEmpty { j["field"] = .string(c.field) }
                    return j
                })
            }
            if let r = d.retryAfterSeconds, r != 0 { dj["retryAfterSeconds"] = .int(Int64(r)) }
            s["details"] = dj
        }
        s["code"] = .int(Int64(code))
        return s
    }
}

extension APIError {
    public static func notFound(_ r: ResourceInfo, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(r.qualifiedName) \"\(name)\" not found",
                 details: Details(name: name, group: r.group, kind: r.plural))
    }

    public static func alreadyExists(_ r: ResourceInfo, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(r.qualifiedName) \"\(name)\" already exists",
                 details: Details(name: name, group: r.group, kind: r.plural))
    }

    public static func conflict(_ r: ResourceInfo, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(r.qualifiedName) \"\(name)\": \(why)",
                 details: Details(name: name, group: r.group, kind: r.plural))
    }

    public static func staleResourceVersion(_ r: ResourceInfo, _ name: String) -> APIError {
        conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    public static func invalid(_ r: ResourceInfo, _ name: String, message: String, causes: [Cause]) -> APIError {
        APIError(code: 422, reason: "Invalid", message: message,
                 details: Details(name: name, group: r.group, kind: r.kind, causes: causes))
    }

    /// A single-field validation error, formatted as upstream's field.Error list.
    public static func invalidField(_ r: ResourceInfo, _ name: String, field: String, reason: String = "FieldValueInvalid",
                                    detail: String) -> APIError {
        let msg = "\(field): \(detail)"
        return invalid(r, name, message: "\(r.kind) \"\(name)\" is invalid: \(msg)",
                       causes: [Cause(reason: reason, message: detail, field: field)])
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func forbidden(_ message: String, _ r: ResourceInfo? = nil, _ name: String? = nil) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: message,
                 details: r.map { Details(name: name, group: $0.group, kind: $0.plural) })
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message, details: Details())
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 details: Details(causes: [Cause(reason: "", message: message, field: "")]))
    }

    /// What upstream answers for a path it does not serve (its details are empty but present).
    public static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: Details())
    }
}

/// What `"\(error)"` says: the Status message, as client-go's StatusError does, so a log
/// line, an event or a CLI message reads as upstream's rather than as a struct dump.
extension APIError: CustomStringConvertible {
    public var description: String { message.isEmpty ? "\(code) \(reason)" : message }
}
