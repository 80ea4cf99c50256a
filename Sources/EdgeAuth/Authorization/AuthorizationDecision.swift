/// An authorizer's answer, as upstream's authorizer.Decision with its reason:
/// allow, deny, or no opinion (the next authorizer in the chain decides). The
/// reason of a refusal ends the 403 message ("...: no relationship found
/// between node 'pi-1' and this object").
public struct AuthorizationDecision: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case allow, deny, noOpinion
    }

    public var verdict: Verdict
    public var reason: String

    public init(_ verdict: Verdict, reason: String = "") {
        self.verdict = verdict
        self.reason = reason
    }

    public static let allow = AuthorizationDecision(.allow)
    public static func noOpinion(_ reason: String = "") -> AuthorizationDecision { AuthorizationDecision(.noOpinion, reason: reason) }
    public static func deny(_ reason: String = "") -> AuthorizationDecision { AuthorizationDecision(.deny, reason: reason) }

    public var allowed: Bool { verdict == .allow }
}
