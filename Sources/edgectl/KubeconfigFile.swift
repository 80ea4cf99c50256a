import EdgeAPI

/// Reads the fields edgectl needs from a kubeconfig (the first cluster and
/// user). A line scanner, not a YAML parser: it handles the files edgectl and
/// kubectl write, with credentials embedded as *-data fields.
struct KubeconfigFile {
    var server: String
    var caPEM: String
    var clientCertPEM: String?
    var clientKeyPEM: String?
    var token: String?

    init(path: String) throws {
        try self.init(text: try FileSystem.read(path), source: path)
    }

    init(text: String, source: String) throws {
        let path = source
        func field(_ name: String) -> String? {
            for raw in text.split(separator: "\n") {
                let line = raw.drop(while: { $0 == " " || $0 == "-" })
                if line.hasPrefix(name + ":") {
                    let v = line.dropFirst(name.count + 1).trimmingSpacesAndQuotes()
                    return v.isEmpty ? nil : v
                }
            }
            return nil
        }
        func decoded(_ name: String) -> String? {
            field(name).flatMap { Base64.decode($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        guard let server = field("server") else {
            throw FileSystem.Failure(description: "\(path) has no cluster server: is it a kubeconfig?")
        }
        guard let ca = decoded("certificate-authority-data") else {
            throw FileSystem.Failure(description: "\(path) has no certificate-authority-data: edgectl needs the CA embedded")
        }
        self.server = server
        self.caPEM = ca
        self.clientCertPEM = decoded("client-certificate-data")
        self.clientKeyPEM = decoded("client-key-data")
        self.token = field("token")
    }
}

extension Substring {
    func trimmingSpacesAndQuotes() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\"" || f == "'" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\"" || l == "'" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
