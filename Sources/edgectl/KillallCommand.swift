import EdgeCommandLine
import EdgeBoards

/// `edgectl killall`: stop edgectl and every container it runs, unmount, remove its cgroups and network.
struct KillallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "killall",
        abstract: "Stop edgectl, every container it runs and their supervisors; unmount container roots, volumes and pod namespaces; remove pod cgroups, edgectl's interfaces (edge0, edge.1, edgev*) and iptables chains (EDGE-*). Before an upgrade or a reset."
    )

    @Option(name: .customLong("data-dir"), help: "A data directory whose server, agent and pods to stop (repeatable; default /var/lib/edgectl).")
    var dataDirs: [String] = []
    @Flag(help: "Leave interfaces and iptables chains alone (another edgectl on this machine may use them).") var keepNetwork = false

    func run() throws {
        let dirs = dataDirs.isEmpty ? ["/var/lib/edgectl"] : dataDirs
        let outcome = KillallCommand.kill(dataDirs: dirs, network: !keepNetwork, root: "/")
        if !outcome.problems.isEmpty { throw ExitCode(1) }
    }

    /// Shared with reset and uninstall: services first (systemd), then the processes, mounts, cgroups and network.
    @discardableResult
    static func kill(dataDirs: [String], network: Bool, root: String) -> NodeCleanup.Outcome {
        if SystemdControl.available(root: root) {
            for role in ServiceUnit.Role.allCases where HostRoot("/").exists(ServiceUnit.unitDirectory + "/edgectl-\(role.rawValue).service") {
                SystemdControl.run(["stop", "edgectl-\(role.rawValue).service"])
            }
        }
        let o = NodeCleanup(dataDirs: dataDirs, network: network) { print($0) }.run()
        print("stopped \(o.stoppedDaemons) edgectl process(es), \(o.killedContainers) container process(es), \(o.stoppedSupervisors) supervisor(s); "
              + "unmounted \(o.unmounted); removed \(o.removedCgroups) cgroup(s)" + (o.network.isEmpty ? "" : "; " + o.network.joined(separator: ", ")))
        for p in o.problems { print("problem: " + p) }
        return o
    }
}
