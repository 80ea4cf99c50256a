/// Limits on API connections. Defaults are upstream's apiserver values
/// (secure_serving.go: ReadHeaderTimeout 32 s, IdleTimeout 90 s); upstream has
/// no connection cap, but a 1 GB board needs one (a kept-alive TLS connection
/// costs tens of kilobytes whatever it does).
public struct ConnectionLimits: Sendable {
    /// Time allowed for a connection's TLS handshake and request line and headers (zero: no limit).
    public var readHeaderTimeout: Duration
    /// Time a kept-alive connection may wait for its next request (zero: no limit).
    public var idleTimeout: Duration
    /// Connections served at once; more are refused with 429 (a few) or closed at once.
    public var maxConnections: Int

    public static let defaultMaxConnections = 1024

    public init(readHeaderTimeout: Duration = .seconds(32), idleTimeout: Duration = .seconds(90),
                maxConnections: Int = ConnectionLimits.defaultMaxConnections) {
        self.readHeaderTimeout = readHeaderTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}
