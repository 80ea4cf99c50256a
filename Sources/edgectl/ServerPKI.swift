import EdgeAPI
import EdgeTLS

/// The server's certificates under `<data-dir>/tls`, created on first start:
/// cluster CA, serving certificate for this machine's names and addresses,
/// admin client certificate. Files are 0600.
struct ServerPKI {
    let dir: String
    let caCert: String
    let caKey: String
    let servingCert: String
    let servingKey: String
    let adminCert: String
    let adminKey: String
    /// Signs service account tokens (kept apart from the CA key, as upstream's sa.key).
    let serviceAccountKey: String
    /// The API server's identity towards node agents (pods/log, pods/exec), as upstream's apiserver-kubelet-client.
    let kubeletClientCert: String
    let kubeletClientKey: String

    static func ensure(dataDir: String, extraSANs: [String], bindAddress: String) throws -> ServerPKI {
        let dir = dataDir + "/tls"
        try FileSystem.makeDirectories(dir)
        func load(_ name: String, _ make: () throws -> String) throws -> String {
            let path = dir + "/" + name
            if FileSystem.exists(path) { return try FileSystem.read(path) }
            let pem = try make()
            try FileSystem.write(path, pem, mode: 0o600)
            return pem
        }
        let caKey = try load("ca.key") { try PKI.generateKey() }
        let caCert = try load("ca.crt") {
            try PKI.makeCA(keyPEM: caKey, commonName: "edgectl-ca@\(Int(Timestamp.nowSeconds()))")
        }
        let (dns, ips) = servingNames(extraSANs: extraSANs, bindAddress: bindAddress)
        let servingKey = try load("serving.key") { try PKI.generateKey() }
        // Re-issue the serving certificate when this machine's names or addresses changed.
        var servingCert = try load("serving.crt") {
            try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: servingKey,
                                    subject: CertificateSubject(commonName: "edgectl-server"), dnsNames: dns, ipAddresses: ips,
                                    usage: .serverAuth, days: 365)
        }
        let info = try PKI.inspectCertificate(servingCert)
        let namesChanged = Set(info.dnsNames) != Set(dns) || Set(info.ipAddresses) != Set(ips)
        if try namesChanged || PKI.needsReissue(servingCert, now: Timestamp.nowSeconds()) {
            servingCert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: servingKey,
                                                  subject: CertificateSubject(commonName: "edgectl-server"), dnsNames: dns,
                                                  ipAddresses: ips, usage: .serverAuth, days: 365)
            try FileSystem.write(dir + "/serving.crt", servingCert, mode: 0o600)
        }
        /// A client certificate the server signs for itself: made on first start, signed
        /// again when it nears expiry or an older build signed it (`PKI.needsReissue`).
        func clientCert(_ name: String, key: String, _ subject: CertificateSubject) throws -> String {
            let sign = { try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: key, subject: subject, usage: .clientAuth, days: 365) }
            let cert = try load(name, sign)
            guard try PKI.needsReissue(cert, now: Timestamp.nowSeconds()) else { return cert }
            let renewed = try sign()
            try FileSystem.write(dir + "/" + name, renewed, mode: 0o600)
            return renewed
        }
        let adminKey = try load("admin.key") { try PKI.generateKey() }
        let adminCert = try clientCert("admin.crt", key: adminKey, CertificateSubject(commonName: "admin", organizations: ["system:masters"]))
        let serviceAccountKey = try load("service-account.key") { try PKI.generateKey() }
        let kubeletClientKey = try load("apiserver-kubelet-client.key") { try PKI.generateKey() }
        let kubeletClientCert = try clientCert("apiserver-kubelet-client.crt", key: kubeletClientKey,
                                               CertificateSubject(commonName: "kube-apiserver-kubelet-client", organizations: ["system:masters"]))
        return ServerPKI(dir: dir, caCert: caCert, caKey: caKey, servingCert: servingCert, servingKey: servingKey,
                         adminCert: adminCert, adminKey: adminKey, serviceAccountKey: serviceAccountKey,
                         kubeletClientCert: kubeletClientCert, kubeletClientKey: kubeletClientKey)
    }

    /// This machine's names and addresses (only those), plus the in-cluster
    /// names of the `kubernetes` service that pods use to reach the API.
    static func servingNames(extraSANs: [String], bindAddress: String) -> (dns: [String], ips: [String]) {
        var dns = ["localhost", HostIdentity.hostname(), "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                   "kubernetes.default.svc.cluster.local"]
        var ips = HostIdentity.addresses() + ["10.43.0.1"]
        if bindAddress != "0.0.0.0" && bindAddress != "::" { ips.append(bindAddress) }
        for s in extraSANs where !s.isEmpty {
            if s.contains(":") || s.split(separator: ".").allSatisfy({ Int($0) != nil }) { ips.append(s) } else { dns.append(s) }
        }
        var seenD = Set<String>(), seenI = Set<String>()
        return (dns.filter { seenD.insert($0).inserted }, ips.filter { seenI.insert($0).inserted })
    }

    func adminKubeconfig(server: String) -> String {
        Kubeconfig.render(server: server, caPEM: caCert, clientCertPEM: adminCert, clientKeyPEM: adminKey)
    }

    /// TLS towards node agents: the kubelet client certificate; agents' self-signed serving certificates are not verified.
    func agentClientConfiguration() throws -> TLSConfiguration {
        try TLSConfiguration.client(trustedCAPEM: nil, certificatePEM: kubeletClientCert, keyPEM: kubeletClientKey)
    }

    func serverHandlerFactory() throws -> @Sendable () throws -> TLSHandler {
        let config = try TLSConfiguration.server(certificateChainPEM: servingCert, keyPEM: servingKey, clientCAPEM: caCert)
        return { try TLSHandler(configuration: config) }
    }
}

extension Timestamp {
    static func nowSeconds() -> Int64 { Timestamp.now().seconds }
}
