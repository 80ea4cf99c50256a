/// A resolv.conf's three parts. Parsed as upstream's kubelet reads the node's
/// (nameservers accumulate, the last search and options lines win, trailing
/// dots dropped from search domains) and written as containerd writes a pod's.
public struct ResolvConf: Equatable, Sendable {
    public var nameservers: [String]
    public var searches: [String]
    public var options: [String]

    public init(nameservers: [String] = [], searches: [String] = [], options: [String] = []) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }

    public static func parse(_ text: String) -> ResolvConf {
        var r = ResolvConf()
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let key = fields.first, !key.hasPrefix("#"), !key.hasPrefix(";") else { continue }
            switch key {
            case "nameserver" where fields.count >= 2: r.nameservers.append(fields[1])
            case "search": r.searches = fields.dropFirst().map { $0.hasSuffix(".") && $0 != "." ? String($0.dropLast()) : $0 }
            case "options": r.options = Array(fields.dropFirst())
            default: continue
            }
        }
        return r
    }

    /// search, nameserver and options lines, in containerd's order.
    public func render() -> String {
        var out = ""
        if !searches.isEmpty { out += "search " + searches.joined(separator: " ") + "\n" }
        for n in nameservers { out += "nameserver " + n + "\n" }
        if !options.isEmpty { out += "options " + options.joined(separator: " ") + "\n" }
        return out
    }
}
