import EdgeCommandLine
import EdgeAgent
import EdgeBoards
#if canImport(Glibc)
import Glibc
#endif

/// `edgectl firstboot`: what edgectl-firstboot.service runs on a flashed board. Joins with the
/// settings `edgectl flash` left in /etc/edgectl/join.env, installs and starts the agent service,
/// removes the settings (the token) and its own enablement. A failure is printed on the console and
/// the service tries again in 30 s.
struct FirstbootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firstboot",
        abstract: "Join the cluster with the settings `edgectl flash` wrote (run by edgectl-firstboot.service).",
        shouldDisplay: false
    )

    @Option(help: "The flashed root filesystem (default /; tests run a flashed tree in place).") var root: String = "/"

    func run() async throws {
        let host = HostRoot(root)
        guard let text = host.read(FirstBootFiles.joinEnvPath) else {
            print("edgectl firstboot: no \(FirstBootFiles.joinEnvPath): nothing to do")
            return
        }
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let server = env["EDGECTL_SERVER"], let token = env["EDGECTL_TOKEN"], let hash = env["EDGECTL_CA_CERT_HASH"],
              let name = env["EDGECTL_NODE_NAME"], FlashSettings.validHostname(name) else {
            report("\(FirstBootFiles.joinEnvPath) lacks EDGECTL_SERVER, EDGECTL_TOKEN, EDGECTL_CA_CERT_HASH or a valid EDGECTL_NODE_NAME: flash the card again")
            throw ExitCode(1)
        }
        if root == "/" && HostIdentity.hostname() != name {
            _ = name.withCString { sethostname($0, strlen($0)) }
        }
        let writer = FileWriter(root: root)
        let dataDir = "/var/lib/edgectl/agent"
        let realDir = writer.path(dataDir)
        do {
            try PreflightGate.run(role: .agent, dataDir: realDir, tcpPorts: [10250], udpPorts: [8472], ignore: nil)
        } catch {
            report("\(error)")
            throw ExitCode(1)
        }
        if !HostRoot("/").exists(realDir + "/kubeconfig.yaml") {
            do {
                _ = try await JoinFlow(server: server, token: token, caCertHash: hash.lowercased(), dataDir: realDir, nodeName: name).run()
            } catch {
                report("cannot join \(server) as \(name): \(error)\n  retrying in 30 s. If the token expired, put a new one (`edgectl token create` on the server) "
                       + "into EDGECTL_TOKEN in \(FirstBootFiles.joinEnvPath).")
                throw ExitCode(1)
            }
        }
        print("edgectl firstboot: joined \(server) as \(name)")
        let unit = ServiceUnit(role: .agent, binary: FirstBootFiles.binaryPath, arguments: ["--data-dir", dataDir, "--node-name", name],
                               environment: [("EDGECTL_SERVER", server), ("EDGECTL_CA_CERT_HASH", hash.lowercased())])
        for line in try Installer(root: root, unit: unit, binarySource: nil, dataDir: dataDir).install() { print("edgectl firstboot: " + line) }
        // Done for good: the token goes, and the hook with it.
        writer.remove(FirstBootFiles.wantsPath)
        writer.remove(FirstBootFiles.joinEnvPath)
        if SystemdControl.available(root: root) {
            for step in [["daemon-reload"], ["disable", FirstBootFiles.unitName], ["enable", "--now", unit.name]] {
                if let p = SystemdControl.run(step) { print("edgectl firstboot: " + p) }
            }
            return
        }
        print("edgectl firstboot: systemd is not running here: running the agent in the foreground")
        fflush(nil)
        try await AgentRunner.run(dataDir: realDir, nodeName: name, nodeIP: nil, labels: [:], agentPort: 10250, imageGC: ImageGCPolicy(),
                                 network: try PodNetworkOptions.parse([]), serviceNetwork: try ServiceNetworkOptions.parse([]))
    }

    /// To the console (where someone at the board looks) and to the journal (stdout).
    func report(_ message: String) {
        let line = "edgectl firstboot: " + message + "\n"
        print(line, terminator: "")
        fflush(nil)
        guard root == "/" else { return }
        let fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        if fd >= 0 {
            _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
            close(fd)
        }
    }
}
