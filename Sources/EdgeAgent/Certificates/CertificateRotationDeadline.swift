/// When a node renews its client certificate, as upstream kubelet's
/// certificate manager: at a random point 70-90% of the way from notBefore to
/// notAfter. The randomness spreads the renewals of nodes that joined
/// together; the 10-30% left gives time to retry before the old one expires.
public enum CertificateRotationDeadline {
    public static let earliestFraction = 0.7
    public static let jitterFraction = 0.2

    /// `random` in 0..<1 picks the point in the window (0: at 70%, toward 1: at 90%).
    /// Times are seconds since the epoch.
    public static func deadline(notBefore: Int64, notAfter: Int64, random: Double) -> Int64 {
        let lifetime = Double(max(0, notAfter - notBefore))
        // In tenths, so whole percentages stay exact in binary floating point (0.7 + 0.1 is not 0.8).
        let tenths = earliestFraction * 10 + jitterFraction * 10 * min(max(random, 0), 1)
        return notBefore + Int64((lifetime * tenths / 10).rounded(.down))
    }

    public static func deadline(notBefore: Int64, notAfter: Int64) -> Int64 {
        deadline(notBefore: notBefore, notAfter: notAfter, random: Double.random(in: 0..<1))
    }
}
