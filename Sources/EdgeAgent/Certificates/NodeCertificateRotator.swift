import EdgeAPI
import EdgeClient
import EdgeTLS

/// Renews the node's client certificate before it expires, as upstream
/// kubelet does with --rotate-certificates: at CertificateRotationDeadline
/// it requests a new certificate with the node's current one (the bootstrap
/// token is long gone), waits for the server to approve and sign it, and
/// hands it to the installer (files, then live connections). A failed attempt
/// is logged and retried with CertificateRenewalBackoff; the current
/// certificate stays in use meanwhile, until it expires.
public final class NodeCertificateRotator: Sendable {
    let client: APIClient
    let nodeName: String
    let initial: NodeClientCredentials
    let installer: any NodeCredentialInstaller
    let log: @Sendable (String) -> Void
    /// How long to wait for approval and signing; upstream waits 15 minutes.
    let approvalTimeout: Duration
    let pollInterval: Duration
    /// Longest single sleep: the wall clock is re-read after it, so a clock
    /// set late by NTP (boards without a battery-backed clock) is noticed.
    let longestSleepSeconds: Int64 = 60

    public init(client: APIClient, nodeName: String, current: NodeClientCredentials, installer: any NodeCredentialInstaller,
                approvalTimeout: Duration = .seconds(900), pollInterval: Duration = .seconds(1),
                log: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.nodeName = nodeName
        self.initial = current
        self.installer = installer
        self.approvalTimeout = approvalTimeout
        self.pollInterval = pollInterval
        self.log = log
    }

    static func now() -> Int64 { Timestamp.now().seconds }

    static func time(_ seconds: Int64) -> String { Timestamp(seconds: seconds).rfc3339 }

    /// Until cancelled: wait for the deadline of the certificate in use, renew it, repeat.
    public func run() async {
        var credentials = initial
        while !Task.isCancelled {
            let info: PKI.CertificateInfo
            do { info = try PKI.inspectCertificate(credentials.certificatePEM) } catch {
                log("cannot read this node's client certificate (\(error)), so it will not be renewed; rejoin with `edgectl join` before it expires")
                return
            }
            let deadline = CertificateRotationDeadline.deadline(notBefore: info.notBefore, notAfter: info.notAfter)
            log("client certificate valid until \(Self.time(info.notAfter)); renewing it after \(Self.time(deadline))")
            await sleep(until: deadline)
            guard let renewed = await renew(expiring: info.notAfter) else { return }
            credentials = renewed
        }
    }

    /// Retries until a new certificate is installed; nil when cancelled.
    func renew(expiring notAfter: Int64) async -> NodeClientCredentials? {
        var backoff = CertificateRenewalBackoff()
        while !Task.isCancelled {
            do {
                let fresh = try await requestOnce()
                try installer.install(fresh)
                let until = (try? PKI.inspectCertificate(fresh.certificatePEM).notAfter).map(Self.time) ?? "?"
                log("now using the renewed client certificate (valid until \(until)); pods and the agent kept running")
                return fresh
            } catch is CancellationError {
                return nil
            } catch {
                let delay = backoff.next()
                if Self.now() >= notAfter {
                    log("failed to renew the client certificate: \(error). It expired at \(Self.time(notAfter)), so the server no longer "
                        + "accepts this node; retrying in \(delay)s. If this persists, delete the Node and rejoin with a new token "
                        + "(`edgectl token create` on the server)")
                } else {
                    log("failed to renew the client certificate: \(error); still using the current one (valid until \(Self.time(notAfter))), "
                        + "retrying in \(delay)s")
                }
                try? await Task.sleep(for: .seconds(delay))
            }
        }
        return nil
    }

    /// One request: submit, wait for the certificate, check it names this node.
    func requestOnce() async throws -> NodeClientCredentials {
        let request = try NodeCertificateRequest(nodeName: nodeName)
        let name: String
        do { name = try await request.submit(client) } catch let e as APIError {
            throw NodeCertificateRequest.Failure(description: "the server refused the renewal request (\(e.code) \(e.message))")
        }
        log("requested a new client certificate: CertificateSigningRequest \(name)")
        return try await request.waitForCertificate(client, name: name, timeout: approvalTimeout, interval: pollInterval)
    }

    func sleep(until deadline: Int64) async {
        while !Task.isCancelled {
            let left = deadline - Self.now()
            if left <= 0 { return }
            try? await Task.sleep(for: .seconds(min(left, longestSleepSeconds)))
        }
    }
}
