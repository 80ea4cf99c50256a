import EdgeAPI

/// One line of the audit log: an audit.k8s.io/v1 Event, written as upstream's
/// JSON encoder writes it (its field order, empty fields left out, MicroTime
/// timestamps).
public struct AuditEvent: Sendable {
    public var level: AuditLevel
    public var auditID: String
    public var stage: AuditStage = .requestReceived
    public var requestURI: String
    public var verb: String
    /// The authenticated caller; nil when authentication failed (written as `"user":{}`).
    public var user: UserInfo?
    public var impersonatedUser: UserInfo?
    public var sourceIPs: [String] = []
    public var userAgent = ""
    public var objectRef: AuditObjectReference?
    /// A metav1.Status: `code` always, status/message/reason/details when the answer was a Status.
    public var responseStatus: JSON?
    /// Only at Request and RequestResponse.
    public var requestObject: JSON?
    /// Only at RequestResponse.
    public var responseObject: JSON?
    public var requestReceivedTimestamp: Timestamp
    public var stageTimestamp: Timestamp
    public var annotations: [(String, String)] = []

    public init(level: AuditLevel, auditID: String, requestURI: String, verb: String, user: UserInfo?, received: Timestamp) {
        self.level = level
        self.auditID = auditID
        self.requestURI = requestURI
        self.verb = verb
        self.user = user
        self.requestReceivedTimestamp = received
        self.stageTimestamp = received
    }

    public mutating func annotate(_ key: String, _ value: String) {
        if let i = annotations.firstIndex(where: { $0.0 == key }) { annotations[i].1 = value } else { annotations.append((key, value)) }
    }

    public var json: JSON {
        var o = JSONObject()
        o["kind"] = "Event"
        o["apiVersion"] = "audit.k8s.io/v1"
        o["level"] = .string(level.rawValue)
        o["auditID"] = .string(auditID)
        o["stage"] = .string(stage.rawValue)
        o["requestURI"] = .string(requestURI)
        o["verb"] = .string(verb)
        o["user"] = Self.userJSON(user)
        if let impersonatedUser { o["impersonatedUser"] = Self.userJSON(impersonatedUser) }
        if !sourceIPs.isEmpty { o["sourceIPs"] = .array(sourceIPs.map { .string($0) }) }
        if !userAgent.isEmpty { o["userAgent"] = .string(userAgent) }
        if let r = objectRef {
            var ref = JSONObject()
            for (k, v) in [("resource", r.resource), ("namespace", r.namespace), ("name", r.name), ("uid", r.uid),
                           ("apiGroup", r.apiGroup), ("apiVersion", r.apiVersion), ("resourceVersion", r.resourceVersion),
                           ("subresource", r.subresource)] where !v.isEmpty {
                ref[k] = .string(v)
            }
            o["objectRef"] = .object(ref)
        }
        if let responseStatus { o["responseStatus"] = responseStatus }
        if let requestObject { o["requestObject"] = requestObject }
        if let responseObject { o["responseObject"] = responseObject }
        o["requestReceivedTimestamp"] = .string(requestReceivedTimestamp.rfc3339Micro)
        o["stageTimestamp"] = .string(stageTimestamp.rfc3339Micro)
        if !annotations.isEmpty { o["annotations"] = .object(JSONObject(annotations.map { ($0.0, JSON.string($0.1)) })) }
        return .object(o)
    }

    static func userJSON(_ u: UserInfo?) -> JSON {
        guard let u else { return .object(JSONObject()) }
        var o = JSONObject()
        o["username"] = .string(u.name)
        if !u.groups.isEmpty { o["groups"] = .array(u.groups.map { .string($0) }) }
        return .object(o)
    }

    /// The Status an event records of an answer: its code, and for a Status body the bounded fields upstream copies.
    public static func responseStatus(code: Int, body: JSON?) -> JSON {
        var o = JSONObject()
        o["metadata"] = .object(JSONObject())
        if let body, body["kind"]?.string == "Status" {
            for k in ["status", "message", "reason", "details"] { if let v = body[k] { o[k] = v } }
        }
        o["code"] = .int(Int64(code))
        return .object(o)
    }
}
