/// Which syntax a kind's object names must follow (upstream's per-strategy name
/// validation): most kinds are DNS-1123 subdomains, Namespaces DNS-1123
/// labels, Services DNS-1035 labels, and some (APIServices, custom resources
/// with their own rules) only path segments.
public enum NameRule: Sendable {
    case dns1123Subdomain, dns1123Label, dns1035Label
    /// Anything a URL path segment can carry: not "." or "..", no "/" or "%".
    case pathSegment

    public func errors(_ field: String, _ name: String) -> [FieldError] {
        switch self {
        case .dns1123Subdomain: return NameRules.dns1123Subdomain(field, name)
        case .dns1123Label: return NameRules.dns1123Label(field, name)
        case .dns1035Label: return NameRules.dns1035Label(field, name)
        case .pathSegment: return NameRules.pathSegment(field, name)
        }
    }
}
