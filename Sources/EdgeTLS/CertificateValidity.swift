/// When a certificate becomes valid and when it expires, as offsets from the
/// moment it is signed. Certificates start a little in the past so a node
/// whose clock runs behind the signer's can use one at once.
public struct CertificateValidity: Sendable, Equatable {
    /// Seconds before signing that the certificate already counts as valid.
    public var backdateSeconds: Int64
    /// Seconds after signing that it expires.
    public var expiresAfterSeconds: Int64

    public init(backdateSeconds: Int64, expiresAfterSeconds: Int64) {
        self.backdateSeconds = backdateSeconds
        self.expiresAfterSeconds = expiresAfterSeconds
    }

    /// Upstream's backdate for clock skew between machines.
    public static let clockSkewSeconds: Int64 = 300
    /// Below this upstream keeps the full requested lifetime after signing
    /// (a short certificate would lose too much of it to the backdate).
    public static let shortLivedSeconds: Int64 = 8 * 3600

    /// `days` long in total, backdated by the clock skew allowance (the server's own certificates).
    public static func days(_ days: Int) -> CertificateValidity {
        CertificateValidity(backdateSeconds: clockSkewSeconds, expiresAfterSeconds: Int64(days) * 86400 - clockSkewSeconds)
    }

    /// The signer policy for certificate requests (upstream's csrsigning):
    /// backdated 5 minutes; a long-lived certificate ends `ttl` after its
    /// notBefore, a short-lived one `ttl` after signing. Unlike upstream, the
    /// backdate is at most a tenth of the lifetime: node agents renew 70-90% of
    /// the way from notBefore to notAfter, and a 5-minute backdate on a
    /// 1-minute certificate would put that point in the past at once, so every
    /// renewal would start the next (lifetimes that short are for tests).
    public static func signing(seconds ttl: Int64) -> CertificateValidity {
        let ttl = max(1, ttl)
        let backdate = min(clockSkewSeconds, ttl / 10)
        return CertificateValidity(backdateSeconds: backdate, expiresAfterSeconds: ttl < shortLivedSeconds ? ttl : ttl - backdate)
    }
}
