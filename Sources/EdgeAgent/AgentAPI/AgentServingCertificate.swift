import EdgeAPI
import EdgeTLS
import Logging
import Synchronization

/// The agent API's serving certificate, renewed while the agent runs.
///
/// As kubelet without a cluster-signed serving certificate, the agent signs
/// its own: a CA of the node's own signs a certificate for the node's name and
/// addresses. The CA is kept in the agent's data dir (NodeAuthorityStore) and
/// used again at the next start while it outlasts a new certificate, so a
/// client can pin it across restarts; the serving certificate is made anew at
/// every start and kept in memory only. The API server does not
/// verify it, but clients that do (kubectl or a metrics scraper talking to
/// the node directly) refuse an expired one, and an agent may run for years
/// without a restart. So `run` makes a fresh certificate when the current one
/// is 80% through its lifetime; new connections take `current`, connections
/// already open keep the configuration they started with. A failed renewal is
/// logged once per attempt and retried, the delay doubling from 2 s to 5
/// minutes, while the current certificate stays in use. The node's CA is kept
/// across renewals (a client that trusts it keeps trusting the new
/// certificates) until it would expire before the next certificate does; a
/// new CA is then made and stored in place of the old.
public final class AgentServingCertificate: Sendable {
    /// One serving certificate and the TLS configuration that presents it.
    public struct Issued: Sendable {
        public let configuration: TLSConfiguration
        /// The serving certificate alone (the configuration sends it followed by `caCertificatePEM`).
        public let certificatePEM: String
        public let caCertificatePEM: String
        /// Seconds since the epoch.
        public let notBefore: Int64
        public let notAfter: Int64
    }

    /// The node's own CA.
    struct Authority: Sendable {
        let certificatePEM: String
        let keyPEM: String
        let notBefore: Int64
        let notAfter: Int64
    }

    /// kubelet's self-signed certificate lasts a year.
    public static let defaultValidity = CertificateValidity.days(365)
    public static let authorityDays = 3650
    /// Where CertificateRotationDeadline's window is fixed at its middle, 80% of
    /// the lifetime: one node's own certificate needs no spreading.
    static let renewalPoint = 0.5

    let clientCAPEM: String
    let nodeName: String
    let addresses: [String]
    let validity: CertificateValidity
    let logger: Logger
    let authorities: NodeAuthorityStore
    let firstRetry: Duration
    let longestRetry: Duration
    /// Longest single sleep: the wall clock is read again after it, so a clock
    /// that NTP sets forward or back (boards without a battery-backed clock) is noticed.
    let longestSleep: Duration = .seconds(60)
    /// Runs before each renewal; a test makes renewals fail by throwing here.
    let beforeRenewal: @Sendable () throws -> Void

    private struct State {
        var issued: Issued
        var authority: Authority
    }
    private let state: Mutex<State>

    /// Takes the node's CA (from `authorityDirectory` when it holds a usable
    /// one) and makes the first certificate at once: an agent that cannot sign
    /// its own certificate does not start. Whatever is in the directory cannot
    /// stop it: an unusable CA there is replaced. nil keeps the CA in memory only.
    public convenience init(clientCAPEM: String, nodeName: String, addresses: [String], validity: CertificateValidity = defaultValidity,
                            authorityDirectory: String? = nil, logger: Logger = Logger(label: "edgectl.agent-api")) throws {
        try self.init(clientCAPEM: clientCAPEM, nodeName: nodeName, addresses: addresses, validity: validity, logger: logger,
                      authorityDirectory: authorityDirectory, firstRetry: .seconds(2), longestRetry: .seconds(300), beforeRenewal: {})
    }

    init(clientCAPEM: String, nodeName: String, addresses: [String], validity: CertificateValidity, logger: Logger,
         authorityDirectory: String? = nil, authorityValidity: CertificateValidity = .days(authorityDays),
         firstRetry: Duration, longestRetry: Duration, beforeRenewal: @escaping @Sendable () throws -> Void) throws {
        self.clientCAPEM = clientCAPEM
        self.nodeName = nodeName
        self.addresses = addresses
        self.validity = validity
        self.logger = logger
        self.firstRetry = firstRetry
        self.longestRetry = longestRetry
        self.beforeRenewal = beforeRenewal
        authorities = NodeAuthorityStore(directory: authorityDirectory, nodeName: nodeName, validity: authorityValidity, logger: logger)
        let authority = try authorities.initial(outlasting: validity)
        let issued = try Self.issue(by: authority, clientCAPEM: clientCAPEM, nodeName: nodeName, addresses: addresses, validity: validity)
        // A certificate due as soon as it is made would be renewed in a loop.
        guard Self.deadline(of: issued) > Self.now() else {
            throw TLSError("a serving certificate valid \(validity.backdateSeconds)s back and \(validity.expiresAfterSeconds)s ahead "
                           + "is due for renewal at once; give it a longer lifetime")
        }
        state = Mutex(State(issued: issued, authority: authority))
    }

    /// What a connection that starts now presents.
    public var current: TLSConfiguration { state.withLock { $0.issued.configuration } }

    /// The certificate in use, with its configuration.
    public var currentCertificate: Issued { state.withLock { $0.issued } }

    /// When the current certificate is due for renewal, seconds since the epoch.
    public var renewalDeadline: Int64 { Self.deadline(of: currentCertificate) }

    static func deadline(of c: Issued) -> Int64 {
        CertificateRotationDeadline.deadline(notBefore: c.notBefore, notAfter: c.notAfter, random: renewalPoint)
    }

    /// Whether the certificate in use should be replaced at `now`: past its
    /// renewal point, or not valid yet (the clock was set back since it was made).
    func isDue(at now: Int64) -> Bool {
        let c = currentCertificate
        return now >= Self.deadline(of: c) || now < c.notBefore
    }

    /// Until cancelled: wait for the current certificate's renewal point, replace it, repeat.
    public func run() async {
        let c = currentCertificate
        logger.info("agent API serving certificate valid until \(Self.time(c.notAfter)); renewing it after \(Self.time(Self.deadline(of: c)))")
        while await sleepUntilDue() {
            await renew()
        }
    }

    /// Retries until a new certificate is in use, or the task is cancelled.
    func renew() async {
        var delay = firstRetry
        while !Task.isCancelled {
            do {
                let fresh = try renewOnce()
                let next = Self.time(Self.deadline(of: fresh))
                logger.info("renewed the agent API serving certificate: valid until \(Self.time(fresh.notAfter)), renewing it after \(next); open connections keep the previous one")
                return
            } catch {
                let old = currentCertificate.notAfter
                let expired = Self.now() >= old
                let state = expired ? "it expired at" : "still serving the current one, valid until"
                logger.warning("cannot renew the agent API serving certificate: \(error); \(state) \(Self.time(old)), retrying in \(delay)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, longestRetry)
            }
        }
    }

    /// One renewal: a new key and certificate, and a new node CA when the
    /// current one would run out first (or is not valid yet: the clock was set
    /// back). Only a new CA is written to disk; a renewal alone writes nothing.
    @discardableResult
    func renewOnce() throws -> Issued {
        try beforeRenewal()
        var authority = state.withLock { $0.authority }
        let now = Self.now()
        let (end, overflow) = now.addingReportingOverflow(validity.expiresAfterSeconds)
        if overflow || authority.notAfter <= end || authority.notBefore > now { authority = try authorities.make() }
        let fresh = try Self.issue(by: authority, clientCAPEM: clientCAPEM, nodeName: nodeName, addresses: addresses, validity: validity)
        state.withLock { $0 = State(issued: fresh, authority: authority) }
        return fresh
    }

    static func issue(by ca: Authority, clientCAPEM: String, nodeName: String, addresses: [String],
                      validity: CertificateValidity) throws -> Issued {
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: ca.certificatePEM, caKeyPEM: ca.keyPEM, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: nodeName), dnsNames: [nodeName, "localhost"],
                                           ipAddresses: addresses, usage: .serverAuth, validity: validity)
        let info = try PKI.inspectCertificate(cert)
        let config = try TLSConfiguration.server(certificateChainPEM: cert + ca.certificatePEM, keyPEM: key, clientCAPEM: clientCAPEM)
        return Issued(configuration: config, certificatePEM: cert, caCertificatePEM: ca.certificatePEM,
                      notBefore: info.notBefore, notAfter: info.notAfter)
    }

    /// Sleeps until the current certificate is due: true then, false when cancelled.
    /// The wall clock is read again at least every `longestSleep`, so a clock set
    /// forward or back meanwhile is noticed.
    func sleepUntilDue() async -> Bool {
        while !Task.isCancelled {
            let now = Timestamp.now()
            if isDue(at: now.seconds) { return true }
            let left = Duration.seconds(renewalDeadline - now.seconds) - .nanoseconds(Int64(now.nanoseconds))
            do { try await Task.sleep(for: min(left, longestSleep)) } catch { return false }
        }
        return false
    }

    static func now() -> Int64 { Timestamp.now().seconds }

    static func time(_ seconds: Int64) -> String { Timestamp(seconds: seconds).rfc3339 }
}
