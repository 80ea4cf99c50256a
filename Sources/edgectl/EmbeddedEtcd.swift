import EdgeAPI
import EdgeBoards
import EdgeStore
import EdgeTLS
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `--cluster-init`: an etcd member run and supervised by the server, from the system's etcd binary
/// (Debian's etcd-server), as k3s embeds etcd. Peers and clients speak TLS with certificates from the
/// cluster CA (`<data-dir>/etcd/tls`); only holders of a certificate the CA signed may join or read.
/// A supervisor thread restarts etcd when it exits; etcd dies with that thread (setpriv --pdeathsig), so a
/// server killed with -9 takes its member down with it, as k3s's in-process etcd.
final class EmbeddedEtcd: @unchecked Sendable {
    let name: String
    let ip: String
    let clientPort: Int
    let peerPort: Int
    let dir: String
    let log = Logger(label: "edgectl.etcd")
    private let state = Mutex<(pid: pid_t, stopping: Bool, finished: Bool)>((0, false, false))
    private var arguments: [String] = []
    private var thread = pthread_t()
    private var started = false

    init(dataDir: String, name: String, ip: String, clientPort: Int, peerPort: Int) {
        self.dir = dataDir + "/etcd"
        self.name = name
        self.ip = ip
        self.clientPort = clientPort
        self.peerPort = peerPort
    }

    var host: String { ip.contains(":") ? "[\(ip)]" : ip }
    var peerURL: String { "https://\(host):\(peerPort)" }
    var clientURL: String { "https://\(host):\(clientPort)" }
    var hasData: Bool { FileSystem.exists(dir + "/data/member") }
    /// This server talks to its own member.
    var endpoints: EtcdEndpoints { EtcdEndpoints(secure: true, members: [.init(host: "127.0.0.1", port: clientPort)]) }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The member a server on `dataDir` runs, as recorded at its last start (for backups and restores).
    static func recorded(dataDir: String) -> EmbeddedEtcd? {
        guard let text = try? FileSystem.read(dataDir + "/etcd/member.json"), let j = try? JSONParser.parse(text),
              let name = j["name"]?.string, let peer = j["peerURL"]?.string, let port = j["clientPort"]?.int,
              let peerURL = EtcdEndpoints.parseURL(peer) else { return nil }
        return EmbeddedEtcd(dataDir: dataDir, name: name, ip: peerURL.host, clientPort: Int(clamping: port), peerPort: peerURL.port)
    }

    static func binary() throws -> String {
        for p in ["/usr/bin/etcd", "/usr/local/bin/etcd"] where access(p, X_OK) == 0 { return p }
        throw Failure(description: "--cluster-init runs the system's etcd, and there is none: apt-get install etcd-server")
    }

    /// Peer/server and client certificates signed by the cluster CA; the TLS edgectl uses towards etcd.
    func certificates(caCert: String, caKey: String) throws -> DatastoreTLS {
        let tls = dir + "/tls"
        try FileSystem.makeDirectories(tls)
        try FileSystem.write(tls + "/ca.crt", caCert, mode: 0o600)
        func issue(_ base: String, _ subject: CertificateSubject, usage: PKI.Usage, ips: [String]) throws -> (String, String) {
            let keyPath = tls + "/\(base).key", certPath = tls + "/\(base).crt"
            if FileSystem.exists(keyPath), FileSystem.exists(certPath), let cert = try? FileSystem.read(certPath),
               let info = try? PKI.inspectCertificate(cert), Set(info.ipAddresses) == Set(ips),
               (try? PKI.needsReissue(cert, now: Timestamp.nowSeconds())) == false {
                return (cert, try FileSystem.read(keyPath))
            }
            let key = FileSystem.exists(keyPath) ? try FileSystem.read(keyPath) : try PKI.generateKey()
            let cert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: key, subject: subject,
                                               dnsNames: ips.isEmpty ? [] : ["localhost"], ipAddresses: ips, usage: usage, days: 365)
            try FileSystem.write(keyPath, key, mode: 0o600)
            try FileSystem.write(certPath, cert, mode: 0o600)
            return (cert, key)
        }
        // One certificate for serving clients and for both ends of peer links (etcd uses it for both).
        _ = try issue("server", CertificateSubject(commonName: "etcd-\(name)"), usage: [.serverAuth, .clientAuth],
                      ips: Array(Set([ip, "127.0.0.1"])).sorted())
        let (cert, key) = try issue("client", CertificateSubject(commonName: "edgectl-server"), usage: .clientAuth, ips: [])
        return DatastoreTLS(caPEM: caCert, certificatePEM: cert, keyPEM: key)
    }

    /// Starts the member: a new one-member cluster, or (`initialCluster` from a member add) a new member of an
    /// existing one. With data on disk etcd ignores both and rejoins as it was.
    func start(initialCluster: String? = nil) throws {
        let bin = try Self.binary()
        let tls = dir + "/tls"
        let listenClients = ip == "127.0.0.1" ? "https://127.0.0.1:\(clientPort)" : "https://127.0.0.1:\(clientPort),\(clientURL)"
        arguments = ["setpriv", "--pdeathsig", "KILL", "--", bin,
                     "--name", name, "--data-dir", dir + "/data",
                     "--listen-client-urls", listenClients, "--advertise-client-urls", clientURL,
                     "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                     "--initial-cluster", initialCluster ?? "\(name)=\(peerURL)",
                     "--initial-cluster-state", initialCluster == nil ? "new" : "existing",
                     "--cert-file", tls + "/server.crt", "--key-file", tls + "/server.key",
                     "--trusted-ca-file", tls + "/ca.crt", "--client-cert-auth",
                     "--peer-cert-file", tls + "/server.crt", "--peer-key-file", tls + "/server.key",
                     "--peer-trusted-ca-file", tls + "/ca.crt", "--peer-client-cert-auth",
                     "--snapshot-count", "10000"]
        let box = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<EmbeddedEtcd>.fromOpaque(arg!).takeRetainedValue()
            me.supervise()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<EmbeddedEtcd>.fromOpaque(box).release()
            throw Failure(description: "cannot start etcd's supervisor thread: \(String(cString: strerror(rc)))")
        }
        started = true
        try FileSystem.write(dir + "/member.json", JSONSerializer.string([
            "name": .string(name), "peerURL": .string(peerURL), "clientURL": .string(clientURL), "clientPort": .int(Int64(clientPort)),
        ]), mode: 0o600)
        log.info("etcd member \(name) starting: peers at \(peerURL), clients at \(clientURL), data in \(dir)/data")
    }

    /// Runs on the supervisor thread: etcd, and again after it exits (1 s doubling to 30 s), until stopped.
    private func supervise() {
        var delay: UInt32 = 1
        while !state.withLock({ $0.stopping }) {
            let started = time(nil)
            guard let pid = spawn() else {
                sleep(delay)
                delay = min(delay * 2, 30)
                continue
            }
            let stopping = state.withLock { s -> Bool in
                s.pid = pid
                return s.stopping
            }
            if stopping { kill(pid, SIGTERM) }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            state.withLock { $0.pid = 0 }
            if state.withLock({ $0.stopping }) { break }
            if time(nil) - started > 60 { delay = 1 }
            log.warning("etcd exited (status \(status)); restarting in \(delay)s (its log: \(dir)/etcd.log)")
            sleep(delay)
            delay = min(delay * 2, 30)
        }
        state.withLock { $0.finished = true }
    }

    private func spawn() -> pid_t? {
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, dir + "/etcd.log", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&fa, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &fa, nil, &argv, ProcessEnvironment.pointer)
        if rc != 0 {
            log.error("cannot start etcd: \(String(cString: strerror(rc)))")
            return nil
        }
        return pid
    }

    /// Stops etcd (SIGTERM, then SIGKILL after 10 s) and its supervisor.
    func stop() async {
        guard started else { return }
        let pid = state.withLock { s -> pid_t in
            s.stopping = true
            return s.pid
        }
        if pid > 0 { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while !state.withLock({ $0.finished }) {
            if ContinuousClock.now > deadline {
                let p = state.withLock { $0.pid }
                if p > 0 { kill(p, SIGKILL) }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        pthread_join(thread, nil)
    }
}
