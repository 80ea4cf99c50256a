/// A certificate subject as Kubernetes reads it: CN is the user name, each O a group.
public struct CertificateSubject: Sendable, Equatable {
    public var commonName: String
    public var organizations: [String]

    public init(commonName: String, organizations: [String] = []) {
        self.commonName = commonName
        self.organizations = organizations
    }

    /// The shim's subject form: one "CN=" line, one "O=" line per group, in order.
    var distinguishedName: String {
        (["CN=" + commonName] + organizations.map { "O=" + $0 }).map { $0.filter { $0 != "\n" } }.joined(separator: "\n")
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
