/// How much of a request the audit log keeps (audit.k8s.io/v1 Level), in
/// increasing order: None logs nothing; Metadata who did what to which object
/// and the answer's status, never a body; Request adds the request body;
/// RequestResponse adds the response body too.
public enum AuditLevel: String, Sendable, Comparable, CaseIterable {
    case none = "None"
    case metadata = "Metadata"
    case request = "Request"
    case requestResponse = "RequestResponse"

    var rank: Int {
        switch self {
        case .none: return 0
        case .metadata: return 1
        case .request: return 2
        case .requestResponse: return 3
        }
    }

    public static func < (a: AuditLevel, b: AuditLevel) -> Bool { a.rank < b.rank }
}
