import EdgeCommandLine
import EdgeBoards

/// `edgectl preflight [--role server|agent]`: the host checks server and agent run at start, on their own.
struct PreflightCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preflight",
        abstract: "Check this machine for running edgectl: kernel, cgroups, iptables, ports, swap, clock, disk, storage; each failure with its fix."
    )

    @Option(help: "server or agent.") var role: String = "server"
    @Option(help: "State directory to check (default /var/lib/edgectl/<role> or $EDGECTL_DATA_DIR).") var dataDir: String?
    @Option(help: "The API server's port (server role).") var httpsListenPort: Int = 6443
    @Option(help: "The agent API's port.") var agentApiPort: Int = 10250
    @Option(help: "Errors to report as warnings, comma-separated check names (or all), as kubeadm.") var ignorePreflightErrors: String?
    @Option(help: ArgumentHelp("Read the machine's files under this directory instead of / (for tests).", visibility: .hidden))
    var hostRoot: String?

    func validate() throws {
        guard PreflightEnvironment.Role(rawValue: role) != nil else { throw ValidationError("--role must be server or agent, got \(role)") }
    }

    func run() throws {
        let r = PreflightEnvironment.Role(rawValue: role)!
        var env = PreflightGate.environment(role: r, runsPods: true, dataDir: DataDirectory.resolve(dataDir, role: role),
                                            tcpPorts: r == .server ? [httpsListenPort, agentApiPort] : [agentApiPort], udpPorts: [8472])
        if let hostRoot {
            env.root = HostRoot(hostRoot)
            env.board = NodeBoard.detect(env.root).profile
        }
        print("edgectl \(BuildInfo.version) preflight, role \(role), board \(env.board.map { "\($0.name) (\($0.title))" } ?? "unknown")")
        let report = Preflight.run(env)
        for result in report.results { print(result.text) }
        let errors = report.errors(ignoring: PreflightReport.ignoreList(ignorePreflightErrors))
        if !errors.isEmpty {
            print("\(errors.count) error(s): fix them, or ignore with --ignore-preflight-errors=\(errors.map(\.name).joined(separator: ","))")
            throw ExitCode(1)
        }
        print(report.warnings.isEmpty ? "all checks passed" : "no errors, \(report.warnings.count) warning(s)")
    }
}
