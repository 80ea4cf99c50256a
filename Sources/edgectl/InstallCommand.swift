#if canImport(Glibc)
import Glibc
#endif
import EdgeCommandLine
import EdgeBoards

/// `edgectl install server|agent`: edgectl as a systemd service on this machine (or into a tree with --root).
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install edgectl as a systemd service: the binary, a unit (restart always, after network-online, containers survive restarts), a 0600 settings file holding the token, data dirs.",
        discussion: "Arguments after -- go to the service's command line, e.g. `edgectl install server -- --tls-san pi.lan`."
    )

    @Argument(help: "server or agent.") var role: String
    @Option(help: "Install into this directory tree instead of / (tests, image builders); no service is started then.") var root: String = "/"
    @Option(help: "The edgectl binary to install (default: this one). Must match this machine's architecture.") var binary: String?
    @Option(help: "Where the binary goes.") var binDir: String = "/usr/local/bin"
    @Option(help: "The service's data directory (default /var/lib/edgectl/<role>).") var dataDir: String?
    @Option(help: "Node name (default: the hostname at each start).") var nodeName: String?
    @Option(help: "Agent: the server, https://IP:6443.") var server: String?
    @Option(help: "Agent: a join token (kept in the 0600 settings file, never in the unit).") var token: String?
    @Option(help: "Agent: sha256:<hex> of the cluster CA.") var caCertHash: String?
    @Flag(help: "Write the files but do not enable or start the service now.") var noStart = false
    @Argument(parsing: .postTerminator, help: "Extra arguments for the service's command line.") var extra: [String] = []

    func validate() throws {
        guard let r = ServiceUnit.Role(rawValue: role) else { throw ValidationError("install what? `edgectl install server` or `edgectl install agent`, got \(role)") }
        if r == .agent {
            guard let server, let token, let caCertHash else {
                throw ValidationError("an agent needs --server, --token and --ca-cert-hash (from `edgectl token create` on the server)")
            }
            guard server.hasPrefix("https://") else { throw ValidationError("--server must start with https://, got \(server)") }
            guard JoinFlow.validToken(token) else { throw ValidationError("--token must look like abcdef.0123456789abcdef") }
            guard JoinFlow.validHash(caCertHash) else { throw ValidationError("--ca-cert-hash must be sha256: followed by 64 hex digits") }
        }
        for a in extra where a.hasPrefix("--token") {
            throw ValidationError("pass the token with --token, not after --: it belongs in the 0600 settings file, not in the unit")
        }
    }

    func run() throws {
        let r = ServiceUnit.Role(rawValue: role)!
        let dir = dataDir ?? "/var/lib/edgectl/\(role)"
        let source = binary ?? AgentRunner.selfExecutable()
        guard let arch = ELFHeader.architecture(ofFile: source) else { throw ValidationError("\(source) is not an edgectl binary (no ELF header)") }
        if root == "/" && arch != BuildInfo.arch {
            throw ValidationError("\(source) is built for \(arch), this machine is \(BuildInfo.arch): pass the \(BuildInfo.arch) binary with --binary")
        }
        var args = ["--data-dir", dir]
        if let nodeName { args += ["--node-name", nodeName] }
        args += extra
        var env: [(key: String, value: String)] = []
        if r == .agent { env = [("EDGECTL_SERVER", server!), ("EDGECTL_TOKEN", token!), ("EDGECTL_CA_CERT_HASH", caCertHash!.lowercased())] }
        let binPath = binDir + "/edgectl"
        let unit = ServiceUnit(role: r, binary: binPath, arguments: args, environment: env)
        let sameFile = root == "/" && NodeCleanupPaths.same(source, binPath)
        let installer = Installer(root: root, unit: unit, binarySource: sameFile ? nil : source, dataDir: dir)
        for line in try installer.install() { print(line) }
        guard SystemdControl.available(root: root) else {
            print(root == "/" ? "systemd is not running here: start it with `\(binPath) \(role) \(args.joined(separator: " "))`" : "installed into \(root)")
            return
        }
        if noStart {
            SystemdControl.run(["daemon-reload"])
            print("enabled; start it with systemctl start \(unit.name)")
            return
        }
        for step in [["daemon-reload"], ["restart", unit.name]] {
            if let problem = SystemdControl.run(step) { print(problem) }
        }
        print("started \(unit.name) (journalctl -u \(unit.name) -f shows its log)")
    }
}

enum NodeCleanupPaths {
    /// Whether two paths name the same file (installing a binary over itself).
    static func same(_ a: String, _ b: String) -> Bool {
        guard let ra = realpathString(a), let rb = realpathString(b) else { return false }
        return ra == rb
    }

    static func realpathString(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
