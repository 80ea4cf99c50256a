/// Name syntax rules with upstream's messages.
public enum NameRules {
    static let subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    static func lowerAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    public static func isDNS1123Label(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let f = s.first, let l = s.last, lowerAlnum(f), lowerAlnum(l) else { return false }
        return s.allSatisfy { lowerAlnum($0) || $0 == "-" }
    }

    public static func isDNS1035Label(_ s: String) -> Bool {
        guard isDNS1123Label(s), let f = s.first, f.isLetter else { return false }
        return true
    }

    /// Errors for a name; empty when valid.
    public static func dns1123Subdomain(_ field: String, _ name: String) -> [FieldError] {
        if name.count > 253 { return [.invalid(field, .string(name), "must be no more than 253 characters")] }
        return LabelRules.isDNSSubdomain(name) ? [] : [.invalid(field, .string(name), subdomainMessage)]
    }

    public static func dns1123Label(_ field: String, _ name: String) -> [FieldError] {
        if name.count > 63 { return [.invalid(field, .string(name), "must be no more than 63 characters")] }
        return isDNS1123Label(name) ? [] : [.invalid(field, .string(name), labelMessage)]
    }

    public static func dns1035Label(_ field: String, _ name: String) -> [FieldError] {
        isDNS1035Label(name) ? [] : [.invalid(field, .string(name), dns1035Message)]
    }

    /// ConfigMap and Secret keys: `[-._a-zA-Z0-9]+`, not "." or "..".
    public static func configKey(_ field: String, _ key: String) -> [FieldError] {
        let ok = !key.isEmpty && key.count <= 253 && key != "." && key != ".."
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
        return ok ? [] : [.invalid(field, .string(key), "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")]
    }

    /// A name that can be one segment of a URL path, as upstream's IsValidPathSegmentName.
    public static func pathSegment(_ field: String, _ name: String) -> [FieldError] {
        if name == "." || name == ".." { return [.invalid(field, .string(name), "may not be '\(name)'")] }
        for bad in ["/", "%"] where name.contains(bad) {
            return [.invalid(field, .string(name), "may not contain '\(bad)'")]
        }
        return []
    }
}
