/// What went wrong talking to PostgreSQL. Messages carry the server's words and SQLSTATE, never the
/// endpoint's password.
enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// An ErrorResponse: SQLSTATE code and message.
    case server(code: String, message: String)
    case authentication(String)
    case protocolViolation(String)
    case connection(String)

    var description: String {
        switch self {
        case .server(let code, let message): return "postgres: \(message) (SQLSTATE \(code))"
        case .authentication(let m): return "postgres authentication failed: \(m)"
        case .protocolViolation(let m): return "postgres protocol: \(m)"
        case .connection(let m): return "postgres connection: \(m)"
        }
    }

    var sqlState: String? { if case .server(let code, _) = self { return code } else { return nil } }

    /// The server or the link is down or refusing for now (connection errors, shutdown, start-up,
    /// too many connections, failover): the store is unavailable rather than broken.
    var isTransient: Bool {
        switch self {
        case .connection: return true
        case .server(let code, _):
            return code.hasPrefix("08") || code.hasPrefix("57P") || code == "53300" || code == "40001" || code == "40P01" || code == "55P03"
                || code == "25006" // read-only transaction: a standby during failover
        default: return false
        }
    }
}
