import EdgeAPI
import EdgeStore

extension APIError {
    /// The datastore is down or has no quorum (etcd, PostgreSQL): 503 with a Retry-After, so clients
    /// (client-go, kubectl) back off and retry instead of reading a server error as final.
    public static func storeUnavailable(_ detail: String) -> APIError {
        APIError(code: 503, reason: "ServiceUnavailable",
                 message: "the datastore is unavailable, retry shortly: \(detail)",
                 details: .init(retryAfterSeconds: 1))
    }
}

extension StoreError {
    /// The API's answer when a store error reaches a request unhandled (the registry's mapping and the
    /// HTTP surface both use it).
    public var apiError: APIError {
        switch self {
        case .unavailable(let detail): return .storeUnavailable(detail)
        default: return .internalError("\(self)")
        }
    }
}
