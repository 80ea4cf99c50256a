import EdgeAPI

/// The string formats upstream's CRD validation checks (kube-openapi's
/// strfmt registry); a format it does not know is not checked.
enum SchemaFormats {
    static func isValid(_ s: String, format: String) -> Bool {
        switch format {
        case "int32", "int64", "float", "double", "password", "": return true
        case "byte": return Base64.decode(s) != nil
        case "date": return isDate(s)
        case "date-time", "datetime": return Timestamp(rfc3339: s) != nil
        case "ipv4": return IPv4Address(s) != nil
        case "ipv6": return isIPv6(s)
        case "cidr": return isCIDR(s)
        case "uuid", "uuid3", "uuid4", "uuid5": return isUUID(s)
        case "email": return isEmail(s)
        case "hostname": return isHostname(s)
        case "mac": return isMAC(s)
        case "hexcolor": return s.count == 7 && s.first == "#" && s.dropFirst().allSatisfy(\.isHexDigit)
        case "duration": return isDuration(s)
        case "uri": return isURI(s)
        default: return true
        }
    }

    static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              p.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let m = Int(p[1]), let d = Int(p[2]) else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }

    static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":"), s.count <= 45 else { return false }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count <= 8 || (parts.count == 9 && s.contains("::")) else { return false }
        if s.components("::") > 1 { return false }
        for (i, p) in parts.enumerated() {
            if p.isEmpty { continue }
            if i == parts.count - 1, p.contains(".") { return IPv4Address(String(p)) != nil }
            guard p.count <= 4, p.allSatisfy(\.isHexDigit) else { return false }
        }
        return parts.count == 8 || s.contains("::")
    }

    static func isCIDR(_ s: String) -> Bool {
        let p = s.split(separator: "/", omittingEmptySubsequences: false)
        guard p.count == 2, let bits = Int(p[1]), p[1].allSatisfy(\.isNumber) else { return false }
        if IPv4Address(String(p[0])) != nil { return (0...32).contains(bits) }
        return isIPv6(String(p[0])) && (0...128).contains(bits)
    }

    static func isUUID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    static func isEmail(_ s: String) -> Bool {
        let p = s.split(separator: "@", omittingEmptySubsequences: false)
        return p.count == 2 && !p[0].isEmpty && !p[1].isEmpty && !s.contains(" ")
    }

    static func isHostname(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { l in
            !l.isEmpty && l.count <= 63 && l.first != "-" && l.last != "-" && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func isMAC(_ s: String) -> Bool {
        let p = s.split(separator: s.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        return [6, 8, 20].contains(p.count) && p.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    /// Go's time.ParseDuration syntax: `1h2m3.5s`, `300ms`, `-1.5h`.
    static func isDuration(_ s: String) -> Bool {
        var rest = Substring(s)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        if rest == "0" { return true }
        guard !rest.isEmpty else { return false }
        let units = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, number.contains(where: \.isNumber) else { return false }
            rest = rest.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.count > $1.count }).first(where: { rest.hasPrefix($0) }) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }

    static func isURI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":") else { return false }
        let scheme = s[..<colon]
        return !scheme.isEmpty && scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }
}

extension String {
    /// How many times `separator` occurs.
    func components(_ separator: String) -> Int {
        var n = 0
        var rest = Substring(self)
        while let r = rest.firstRange(of: separator) {
            n += 1
            rest = rest[r.upperBound...]
        }
        return n
    }
}
