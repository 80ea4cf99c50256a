/// A certificate subject as Kubernetes reads it: CN is the user name, each O a group.
public struct CertificateSubject: Sendable, Equatable {
    public var commonName: String
    public var organizations: [String]

    public init(commonName: String, organizations: [String] = []) {
        self.commonName = commonName
        self.organizations = organizations
    }

    /// mbedtls's DN string ("CN=admin,O=system:masters"); commas in values escaped.
    var distinguishedName: String {
        func esc(_ s: String) -> String {
            var o = ""
            for c in s { if c == "," || c == "=" || c == "\\" { o.append("\\") }; o.append(c) }
            return o
        }
        return (["CN=" + esc(commonName)] + organizations.map { "O=" + esc($0) }).joined(separator: ",")
    }

    /// From the shim's "CN=x\nO=y\n" lines.
    init(lines: String) {
        var cn = ""
        var orgs: [String] = []
        for line in lines.split(separator: "\n") {
            if line.hasPrefix("CN=") { cn = String(line.dropFirst(3)) } else if line.hasPrefix("O=") { orgs.append(String(line.dropFirst(2))) }
        }
        self.init(commonName: cn, organizations: orgs)
    }
}
