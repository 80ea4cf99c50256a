import EdgeCommandLine
import Dispatch
import EdgeAPI
import EdgeAPIServer
import EdgeAuth
import EdgeClient
import EdgeControllers
import EdgeInProcess
import EdgeRegistry
import EdgeScheduler
import EdgeStore
import EdgeTLS
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane (API server, SQLite state store) and, unless disabled, a local agent."
    )

    @Option(name: .long, help: "State directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
    var dataDir: String?

    @Option(name: .long, help: "Address the API server listens on.")
    var bindAddress: String = "0.0.0.0"

    @Option(name: .long, help: "HTTPS port of the API server.")
    var httpsListenPort: Int = 6443

    @Flag(name: .long, help: "Do not run a local agent on this machine.")
    var disableAgent = false

    @Option(name: .long, help: ArgumentHelp(
        "Datastore: sqlite:///path (default: <data-dir>/db/state.db; one server), https://etcd1:2379,etcd2:2379 (etcd) or "
            + "postgres://user:password@host:5432/db?sslmode=disable|require|verify-full (several servers may share etcd or "
            + "PostgreSQL). $EDGECTL_DATASTORE_ENDPOINT keeps a password out of the process list.", valueName: "url"))
    var datastoreEndpoint: String?

    @OptionGroup(title: "Datastore")
    var datastore: DatastoreOptions

    @Flag(name: .long, help: ArgumentHelp(
        "Run an etcd member in this server (the system's etcd, peer and client TLS from the cluster CA) and keep the cluster's "
            + "state there, so more servers can join with --server/--token and the cluster survives losing a minority of them."))
    var clusterInit = false

    @Option(name: .long, help: "Client port of the --cluster-init etcd member.")
    var etcdClientPort: Int = 2379

    @Option(name: .long, help: "Peer port of the --cluster-init etcd member.")
    var etcdPeerPort: Int = 2380

    @Option(name: .long, help: ArgumentHelp(
        "Take a snapshot of the store on this cron schedule (UTC, e.g. \"0 */6 * * *\") into <data-dir>/backups (SQLite, etcd).",
        valueName: "cron"))
    var backupSchedule: String?

    @Option(name: .long, help: "How many scheduled snapshots to keep.")
    var backupRetention: Int = 5

    @Option(name: .long, help: ArgumentHelp(
        "Join the cluster of this server (https://host:6443) as another server: with --token, the cluster CA and signing keys "
            + "are fetched from it (use the same --datastore-endpoint, or --cluster-init's etcd is joined).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "The cluster's server token (K10<ca-hash>::server:<secret>, in <data-dir>/token on its servers): needed with --server; "
            + "on a first server, sets the secret instead of a random one. $EDGECTL_TOKEN keeps it out of the process list.",
        valueName: "token"))
    var token: String?

    @Option(name: .long, help: "SQLite durability: full (default; every acknowledged write survives power loss) or normal (faster; the last writes before a power cut may be lost).")
    var datastoreSync: String = "full"

    @OptionGroup(title: "Cluster network")
    var clusterNetwork: ClusterNetworkOptions

    @OptionGroup(title: "Pod network (the local agent)")
    var podNetwork: PodNetworkOptions

    @Option(name: .long, parsing: .singleValue, help: "Packaged components not to run: coredns (cluster DNS), servicelb (LoadBalancer addresses). Repeatable.")
    var disable: [String] = []

    @OptionGroup(title: "Service proxy and cluster DNS (the local agent)")
    var serviceNetwork: ServiceNetworkOptions

    @Option(name: .long, help: "This node's name (default: the hostname).")
    var nodeName: String?

    @Option(name: .long, help: "Port of the local agent's API (logs, exec; kubelet's 10250).")
    var agentApiPort: Int = 10250

    @OptionGroup(title: "Image garbage collection (the local agent)")
    var imageGC: ImageGCOptions

    @OptionGroup(title: "Container logs (the local agent)")
    var containerLogs: ContainerLogOptions

    @Option(name: .long, help: "The local agent's node Lease duration, renewed every quarter of it (kubelet's --node-lease-duration-seconds).")
    var nodeLeaseDurationSeconds: Int64 = 40

    @Option(name: .long, help: ArgumentHelp("How long a node may go without renewing its Lease before it is NotReady/Unknown (kube-controller-manager's --node-monitor-grace-period).", valueName: "duration"))
    var nodeMonitorGracePeriod: String = "50s"

    @Option(name: .long, help: ArgumentHelp("How often the store drops history older than 5 minutes (kube-apiserver's --etcd-compaction-interval, 5m as kine): each compaction writes.", valueName: "duration"))
    var compactionInterval: String = "5m"
    @Flag(name: .long, help: ArgumentHelp(
        "Print a join command with a token even when stdout is not a terminal (by default it is shown only on a terminal, "
            + "so no log keeps a token). A valid token is reused; a new 24h one is made only when there is none."))
    var printJoinCommand = false

    @Flag(name: .long, help: ArgumentHelp(
        "Encrypt Secrets at rest (AES-GCM, keys in DATA/cred/encryption-config.json, 0600, as k3s). Once on it stays on; "
            + "`edgectl secrets-encrypt rotate-keys` adds a new key, used from the next start (existing secrets rewritten then)."))
    var secretsEncryption = false

    @OptionGroup(title: "Audit log")
    var audit: AuditOptions

    @Option(name: .long, help: "Extra names or IPs for the serving certificate (comma-separated).")
    var tlsSan: String?

    @Option(name: .long, help: "Static bearer tokens file: token,user,uid,\"group1,group2\" per line.")
    var tokenAuthFile: String?

    @Option(name: .long, help: "Preflight errors to report as warnings, comma-separated check names (or all); `edgectl preflight` lists them.")
    var ignorePreflightErrors: String?

    @Option(name: .long, help: ArgumentHelp(
        "Lifetime of the node client certificates the cluster signs (default 1 year, as upstream's --cluster-signing-duration); "
            + "agents renew theirs 70-90% of the way through. Short values (e.g. 60s) are for testing renewal.",
        valueName: "duration"))
    var nodeCertLifetime: String?

    @Option(name: .long, help: ArgumentHelp(
        "Time a connection has for its TLS handshake and each request's headers; 0 disables (upstream's apiserver: 32s).",
        valueName: "duration"))
    var readHeaderTimeout: String = "32s"

    @Option(name: .long, help: ArgumentHelp(
        "Time a kept-alive connection may wait for its next request; 0 disables (upstream's apiserver: 90s).", valueName: "duration"))
    var idleTimeout: String = "90s"

    @Option(name: .long, help: "API connections served at once; past it a client is answered 429 and closed (about 40 KB of TLS state each).")
    var maxConnections: Int = ConnectionLimits.defaultMaxConnections

    /// The connection limits the flags describe.
    var connectionLimits: ConnectionLimits {
        ConnectionLimits(readHeaderTimeout: .seconds(DurationFlag.seconds(readHeaderTimeout) ?? 32),
                         idleTimeout: .seconds(DurationFlag.seconds(idleTimeout) ?? 90), maxConnections: maxConnections)
    }

    func validate() throws {
        for (flag, value) in [("--read-header-timeout", readHeaderTimeout), ("--idle-timeout", idleTimeout)] {
            guard let s = DurationFlag.seconds(value), s >= 0, s <= 86_400 else {
                throw ValidationError("\(flag) \(value) is not a duration between 0 and 24h: use forms like 32s, 90s or 2m")
            }
        }
        guard maxConnections >= 1 else {
            throw ValidationError("--max-connections must be at least 1, got \(maxConnections)")
        }
        guard (1...65535).contains(httpsListenPort) else {
            throw ValidationError("--https-listen-port must be 1-65535, got \(httpsListenPort)")
        }
        guard (4...3600).contains(nodeLeaseDurationSeconds) else {
            throw ValidationError("--node-lease-duration-seconds must be 4-3600, got \(nodeLeaseDurationSeconds)")
        }
        guard let grace = DurationFlag.seconds(nodeMonitorGracePeriod), grace >= 5 else {
            throw ValidationError("--node-monitor-grace-period must be a duration of at least 5s, got \(nodeMonitorGracePeriod)")
        }
        guard let compaction = DurationFlag.seconds(compactionInterval), compaction >= 1 else {
            throw ValidationError("--compaction-interval must be a duration such as 5m, got \(compactionInterval)")
        }
        guard ["full", "normal"].contains(datastoreSync) else {
            throw ValidationError("--datastore-sync must be full or normal, got \(datastoreSync)")
        }
        if let l = nodeCertLifetime {
            guard let seconds = DurationFlag.seconds(l), seconds >= Self.shortestNodeCertLifetime else {
                throw ValidationError("--node-cert-lifetime \(l) is not a duration of at least \(Self.shortestNodeCertLifetime)s: use forms like 8760h, 30d or 60s")
            }
        }
        for d in disable where !Self.disableable.contains(d) {
            throw ValidationError("--disable \(d) is not a component edgectl runs: use one of \(Self.disableable.sorted().joined(separator: ", "))")
        }
        if let e = datastoreEndpoint {
            do { _ = try DatastoreEndpoint.parse(e) } catch { throw ValidationError("\(error)") }
        }
        if let backupSchedule {
            do { _ = try CronSchedule(backupSchedule) } catch { throw ValidationError("--backup-schedule \(backupSchedule): \(error)") }
        }
        guard (1...1000).contains(backupRetention) else { throw ValidationError("--backup-retention must be 1-1000") }
        if clusterInit && datastoreEndpoint != nil {
            throw ValidationError("--cluster-init runs its own etcd: leave out --datastore-endpoint")
        }
        if let server, !server.hasPrefix("https://") {
            throw ValidationError("--server \(server) must be an https:// URL of a server of the cluster")
        }
        try clusterNetwork.checkOverlap()
    }

    static let disableable: Set<String> = ["coredns", "servicelb"]

    /// In-process components that run with their own least-privilege RBAC identity, as upstream's.
    static let rbacComponents: Set<String> = ["system:kube-scheduler", "system:kube-controller-manager"]

    /// Below this a certificate could expire before an agent's renewal (CSR, approval, signing) completes.
    static let shortestNodeCertLifetime: Int64 = 10

    func run() async throws {
        ShutdownSignal.listen()
        var log = Logger(label: "edgectl.server")
        log.logLevel = .info
        let dir = DataDirectory.resolve(dataDir, role: "server")
        // A policy file that does not load stops the server before anything starts, as kube-apiserver.
        let auditor = try audit.auditor(log: log)
        try PreflightGate.run(role: .server, runsPods: !disableAgent, dataDir: dir, tcpPorts: [httpsListenPort] + (disableAgent ? [] : [agentApiPort]),
                              udpPorts: disableAgent ? [] : [8472], ignore: ignorePreflightErrors)
        try FileSystem.makeDirectories(dir)
        try FileSystem.makeDirectories(dir + "/db")
        try FileSystem.makeDirectories(dir + "/tls")

        let advertised = bindAddress == "0.0.0.0" || bindAddress == "::" ? "127.0.0.1" : bindAddress
        // Held while the server runs: `edgectl backup restore` refuses to replace the store under it.
        let serverLock = try ServerLock.acquire(dataDir: dir)
        defer { serverLock.release() }
        let givenToken = token ?? FileSystem.environment("EDGECTL_TOKEN")
        var joined: ServerBootstrap.Material?
        if let server {
            guard let givenToken else { throw ValidationError("--server needs --token: the server token from <data-dir>/token on \(server)") }
            joined = try await ServerBootstrap.join(server: server, token: try ServerToken(parsing: givenToken), dataDir: dir)
            log.info("joined the cluster of \(server): cluster CA and signing keys installed")
        }
        let localNodeName = nodeName ?? HostIdentity.hostname()
        // The address other servers, agents and pods reach this API server at: the bound one, else this machine's.
        let apiServerIP = bindAddress == "0.0.0.0" || bindAddress == "::" ? (HostIdentity.primaryIPv4() ?? advertised) : bindAddress
        let group = MultiThreadedEventLoopGroup(numberOfThreads: min(2, System.coreCount))
        // The embedded etcd: asked for, or the cluster joined runs one, or this data dir has one from before.
        let embedded = datastoreEndpoint == nil && FileSystem.environment("EDGECTL_DATASTORE_ENDPOINT") == nil
            && (clusterInit || !(joined?.etcdClientURLs.isEmpty ?? true) || FileSystem.exists(dir + "/etcd/data/member"))
        let endpoint: DatastoreEndpoint
        let backend: any Backend
        let pki: ServerPKI
        var etcd: EmbeddedEtcd?
        if embedded {
            pki = try ServerPKI.ensure(dataDir: dir, extraSANs: (tlsSan ?? "").split(separator: ",").map(String.init), bindAddress: bindAddress)
            let member = EmbeddedEtcd(dataDir: dir, name: localNodeName, ip: apiServerIP, clientPort: etcdClientPort, peerPort: etcdPeerPort)
            let etcdTLS = try member.certificates(caCert: pki.caCert, caKey: pki.caKey)
            var initial: String?
            if let joined, !joined.etcdClientURLs.isEmpty, !member.hasData {
                initial = try await ServerDatastore.addEtcdMember(member, via: joined.etcdClientURLs, tls: etcdTLS, group: group)
                log.info("added etcd member \(localNodeName) at \(member.peerURL) to the cluster")
            }
            try member.start(initialCluster: initial)
            etcd = member
            endpoint = .etcd(member.endpoints)
            backend = try await ServerDatastore.open(endpoint, tls: etcdTLS, sqliteDurability: .full, group: group, log: log)
        } else {
            endpoint = try ServerDatastore.endpoint(flag: datastoreEndpoint, dataDir: dir)
            do {
                backend = try await ServerDatastore.open(endpoint, tls: try ServerDatastore.tls(datastore),
                                                         sqliteDurability: datastoreSync == "normal" ? .normal : .full, group: group, log: log)
            } catch StoreError.revisionsLost(let why) {
                throw StoreRefusal(why, dataDir: dir, endpoint: datastoreEndpoint)
            }
            try await ServerBootstrap.checkDatastoreCluster(try ObjectStore(backend: backend), dataDir: dir)
            pki = try ServerPKI.ensure(dataDir: dir, extraSANs: (tlsSan ?? "").split(separator: ",").map(String.init), bindAddress: bindAddress)
        }
        let etcdClientURLs = etcd.map { [$0.clientURL] } ?? []
        let network = try clusterNetwork.settings()
        // Secrets are encrypted on their way into the store when asked (or once ever asked).
        var storeBackend: any Backend = backend
        if let encryption = try SecretsEncryptionFile.load(dataDir: dir, enable: secretsEncryption) {
            let encrypting = EncryptingBackend(base: backend, config: encryption)
            let n = try await encrypting.reencryptAll()
            if n > 0 { log.info("secrets encryption: \(n) secrets rewritten under key \(encryption.keys[0].name)") }
            storeBackend = encrypting
        }
        // The version skew policy is one more admission step: agents at most one minor version newer.
        var admission = AdmissionChain.standard
        admission.add(NodeVersionSkewAdmission(serverVersion: EdgectlVersion(BuildInfo.version)!))
        // Pods mount a bound token, the cluster CA and their namespace (this server issues tokens and publishes kube-root-ca.crt).
        admission.add(ServiceAccountTokenAdmission(), before: "NodeRestriction")
        // RBAC reads its objects from memory, kept from the store; writes of RBAC objects may not escalate.
        let rbac = RBACPolicyCache(backend: storeBackend)
        admission.add(RBACEscalationCheck(cache: rbac, authorizer: AuthorizerChain([PrivilegedGroupAuthorizer(), RBACAuthorizer(cache: rbac)])))
        let store = ObjectStore(backend: storeBackend,
                                catalog: BuiltinStrategies.catalog(services: try ServiceAllocator(serviceCIDR: network.serviceCIDR.description)),
                                admission: admission)
        let serverToken = try ServerToken.ensure(dataDir: dir, caPEM: pki.caCert, given: givenToken)
        let serverURL = "https://\(advertised.contains(":") ? "[\(advertised)]" : advertised):\(httpsListenPort)"
        // Only when it changed: a restart on a full disk must not fail here.
        try FileSystem.writeIfChanged(dir + "/kubeconfig.yaml", pki.adminKubeconfig(server: serverURL), mode: 0o600)

        try await ClusterBootstrap.ensureSystemObjects(store, apiServerIP: apiServerIP, apiServerPort: httpsListenPort)
        if !disable.contains("coredns") {
            try await ClusterBootstrap.ensureClusterDNS(store, ip: network.clusterDNS.description)
        }
        try await BootstrapPolicy.reconcile(store)
        try await rbac.start()

        // Custom resources of stored definitions are served from the first request on.
        let crdController = CustomResourceDefinitionController(store: store)
        do { try await crdController.syncAll() } catch {
            log.warning("custom resource definitions not served yet: \(error); the controller retries")
        }

        let saTokens = ServiceAccountTokens(keyPEM: pki.serviceAccountKey)
        var authenticators: [any Authenticator] = [ClientCertificateAuthenticator(),
                                                   BootstrapTokenAuthenticator(store: store),
                                                   ServiceAccountTokenAuthenticator(tokens: saTokens, store: store)]
        if let tokenAuthFile {
            let tokens = try StaticTokens(csv: try FileSystem.read(tokenAuthFile))
            authenticators.append(BearerTokenAuthenticator { tokens.lookup($0) })
        } else {
            authenticators.append(BearerTokenAuthenticator { _ in nil })
        }
        let openAPI = OpenAPIDocuments(catalog: store.catalog, version: BuildInfo.kubernetesVersion)
        let nodeProxy = NodeProxy(connector: TLSNodeConnector(group: group, tls: try pki.agentClientConfiguration()))
        let service = APIService(store: store, authenticators: authenticators,
                                 openAPI: openAPI, serverAddress: "\(advertised):\(httpsListenPort)", serviceAccountTokens: saTokens,
                                 nodeProxy: nodeProxy, rbac: rbac,
                                 ownPaths: [ServerBootstrap.path: ServerBootstrap.handler(token: serverToken) {
                                     ServerBootstrap.Material(caCert: pki.caCert, caKey: pki.caKey, serviceAccountKey: pki.serviceAccountKey,
                                                              etcdClientURLs: etcdClientURLs,
                                                              encryptionConfig: try? FileSystem.read(SecretsEncryptionFile.path(dataDir: dir)))
                                 }],
                                 auditor: auditor)

        let tlsFactory = try pki.serverHandlerFactory()
        let channel = try await HTTPServer.start(host: bindAddress, port: httpsListenPort, group: group, service: service,
                                                 limits: connectionLimits, tlsHandler: tlsFactory)
        log.info("API server listening on \(bindAddress):\(httpsListenPort), datastore \(endpoint)")

        // Scheduler and controllers use the API as any client would, in-process.
        // The scheduler and the controllers are themselves under RBAC, holding upstream's roles for them
        // (EdgeAuth/RBAC/BootstrapRoles.swift, BootstrapControllerRoles.swift); the server's own work is system:masters.
        @Sendable func client(_ user: String, _ agent: String) -> APIClient {
            let groups = ServerCommand.rbacComponents.contains(user) ? ["system:authenticated"] : [UserInfo.masterGroup]
            return APIClient(transport: InProcessTransport.make(service, user: UserInfo(name: user, groups: groups)), userAgent: agent)
        }
        if let sqlite = backend as? SQLiteBackend {
            StoreDiskEvents.install(on: sqlite, client: client("edgectl-server", "edgectl-server"), nodeName: localNodeName)
        }
        let makeControllers: @Sendable () throws -> [any Controller] = {
            try ControllerSet.all(ca: ClusterCertificateAuthority(caCertPEM: pki.caCert, caKeyPEM: pki.caKey),
                                  nodeCertSeconds: nodeCertLifetime.flatMap(DurationFlag.seconds) ?? CSRSigningController.defaultSeconds,
                                  network: network, nodeGraceSeconds: DurationFlag.seconds(nodeMonitorGracePeriod) ?? 50)
                + ControllerSet.networking(dns: !disable.contains("coredns"), serviceLB: !disable.contains("servicelb"))
        }
        _ = try makeControllers()
        let returnerBackend = backend as? SQLiteBackend
        let background = Task {
            await withTaskGroup(of: Void.self) { g in
                // Every server registers the stored definitions' resources in its own catalog:
                // not a leader's job (its writes are compare-and-swap and idempotent).
                g.addTask { await crdController.run() }
                // Memory a burst left behind goes back to the system once it is over (SQLite's caches, malloc's free pages).
                if let returnerBackend { g.addTask { await IdleMemoryReturner(backend: returnerBackend).run() } }
                g.addTask {
                    var plane = ControlPlane(store: store, backend: backend, identity: ControlPlane.identity(nodeName: localNodeName, dataDir: dir),
                                             client: client, makeControllers: { (try? makeControllers()) ?? [] },
                                             compactionInterval: .seconds(DurationFlag.seconds(compactionInterval) ?? 300),
                                             compactionRetention: .seconds(datastore.compactionRetentionSeconds),
                                             apiServerIP: apiServerIP, apiServerPort: httpsListenPort,
                                             etcdMembers: etcdClientURLs.isEmpty ? nil : (backend as? EtcdBackend).map(EtcdMaintenance.init))
                    // SQLite is this process's alone (the revision mark's lock): no rival server to elect against.
                    if case .sqlite = endpoint { plane.leaderElection = false; plane.sharedStore = false }
                    await plane.run()
                }
            }
        }

        // Joining machines reach the server on this machine's address, not loopback.
        let joinHost = bindAddress == "0.0.0.0" || bindAddress == "::" ? (HostIdentity.primaryIPv4() ?? advertised) : bindAddress
        let joinURL = "https://\(joinHost.contains(":") ? "[\(joinHost)]" : joinHost):\(httpsListenPort)"
        try await ClusterBootstrap.publishClusterInfo(store, caPEM: pki.caCert, server: joinURL)

        print("edgectl server is ready.")
        print("  kubectl --kubeconfig \(dir)/kubeconfig.yaml get nodes")
        print("To add another server: edgectl server --server \(joinURL) --token <the token in \(ServerToken.path(dataDir: dir))>")
        // A token is a credential: it goes to a terminal that is there to read it, never into a log that outlives it.
        if printJoinCommand || isatty(STDOUT_FILENO) == 1 {
            do {
                let offer = try await ServerJoinToken.offer(client("edgectl-server", "edgectl-server"))
                let until = offer.expires.map { "valid until \($0.rfc3339)" } ?? "valid until deleted"
                print("To join another machine (token \(offer.token.id), \(until); `edgectl token list` shows them):")
                print("  " + (try JoinLine.render(server: joinURL, caPEM: pki.caCert, token: offer.token)))
            } catch {
                // A join token is a convenience: failing to make one must not stop the server.
                log.warning("could not offer a join token: \(error); use `edgectl token create`")
            }
        } else {
            print("To join another machine: edgectl token create --kubeconfig \(dir)/kubeconfig.yaml (prints the join command)")
        }
        var localAgent: Task<Void, Never>?
        if !disableAgent {
            // The local agent is a node like any other, through the API with a node's identity, in-process.
            let name = localNodeName
            // A server bound to one address is reached there, by its own proxy too (tests bind loopback).
            let agentIP = bindAddress == "0.0.0.0" || bindAddress == "::" ? (HostIdentity.primaryIPv4() ?? advertised) : bindAddress
            let nodeClient = APIClient(transport: InProcessTransport.make(service, user: UserInfo(name: "system:node:" + name,
                                                                                                   groups: ["system:nodes", "system:authenticated"])),
                                       userAgent: "edgectl-agent/" + name)
            localAgent = try AgentRunner.start(client: nodeClient, dataDir: dir + "/agent", nodeName: name,
                                               ip: agentIP, labels: [:], clusterCAPEM: pki.caCert, agentPort: agentApiPort,
                                               imageGC: imageGC.policy, network: podNetwork,
                                               serviceNetwork: AgentRunner.networking(serviceNetwork, nodeName: name, ip: agentIP,
                                                                                      clusterCIDR: network.clusterCIDR.description,
                                                                                      clusterDomain: network.clusterDomain,
                                                                                      dns: !disable.contains("coredns")),
                                               containerLogs: (containerLogs.maxBytes, containerLogs.containerLogMaxFiles),
                                               leaseDurationSeconds: nodeLeaseDurationSeconds)
            print("  local agent: node \(name)")
        }
        var scheduledBackups: Task<Void, Never>?
        if let backupSchedule, let schedule = try? CronSchedule(backupSchedule) {
            if case .postgres = endpoint {
                throw ValidationError("--backup-schedule snapshots SQLite and etcd; back PostgreSQL up with pg_dump (docs/STORES.md)")
            }
            let backups = Backups(dataDir: dir, endpoint: endpoint, tls: embedded ? (try? etcd?.certificates(caCert: pki.caCert, caKey: pki.caKey)) ?? DatastoreTLS()
                                                                            : try ServerDatastore.tls(datastore), inServer: true)
            let retention = backupRetention
            let backupLog = log
            scheduledBackups = Task { await backups.runSchedule(schedule, retention: retention, log: backupLog) }
        }
        // The SQLite store is open for this process alone: `edgectl backup save` asks for its snapshots here.
        var backupSocket: BackupSocket?
        if case .sqlite = endpoint {
            do {
                backupSocket = try BackupSocket.listen(dataDir: dir, backups: Backups(dataDir: dir, endpoint: endpoint, tls: DatastoreTLS(), inServer: true),
                                                       log: log)
            } catch {
                log.warning("edgectl backup save cannot reach this server: \(error)")
            }
        }
        // stdout is block-buffered when it is a file or a pipe (systemd, scripts/lab): without this
        // the join line above would only reach the log when the server exits.
        fflush(nil)

        await ShutdownSignal.wait()
        log.info("shutting down")
        localAgent?.cancel()
        scheduledBackups?.cancel()
        backupSocket?.stop()
        // Leases are released and this server leaves the kubernetes Endpoints before the store closes.
        background.cancel()
        rbac.stop()
        await ControlPlane.wait(for: background, atMost: .seconds(5))
        try? await channel.close()
        await backend.close()
        await etcd?.stop()
        try? await group.shutdownGracefully()
    }
}
