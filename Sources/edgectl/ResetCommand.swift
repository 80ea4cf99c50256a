import EdgeCommandLine
import EdgeBoards

/// `edgectl reset`: killall, then remove edgectl's units, settings and data (the binary stays).
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Return this machine to before `edgectl install`/`join`: killall, then remove edgectl's units, settings (/etc/edgectl) and data directories. The binary stays; `edgectl uninstall` removes it too."
    )

    @Option(name: .customLong("data-dir"), help: "A data directory to remove (repeatable; default /var/lib/edgectl).") var dataDirs: [String] = []
    @Option(help: "Remove units and settings under this tree instead of / (tests).") var root: String = "/"
    @Flag(help: "Leave interfaces and iptables chains alone.") var keepNetwork = false

    func run() throws { try ResetCommand.reset(dataDirs: dataDirs, root: root, network: !keepNetwork, binary: nil) }

    static func reset(dataDirs: [String], root: String, network: Bool, binary: String?) throws {
        let dirs = dataDirs.isEmpty ? ["/var/lib/edgectl"] : dataDirs
        let reset = NodeReset(root: root, dataDirs: dirs, removeBinary: binary)
        for d in dirs { try reset.checkSafe(d) }  // before anything is stopped
        let o = KillallCommand.kill(dataDirs: dirs.map { reset.writer.path($0) }, network: network, root: root)
        for line in reset.removeUnits() { print("removed " + line) }
        if SystemdControl.available(root: root) { SystemdControl.run(["daemon-reload"]) }
        for line in try reset.removeData() { print("removed " + line) }
        if !o.problems.isEmpty { throw ExitCode(1) }
    }
}

/// `edgectl uninstall`: reset, and the installed binary.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove edgectl from this machine: everything `edgectl reset` removes, and the installed binary."
    )

    @Option(name: .customLong("data-dir"), help: "A data directory to remove (repeatable; default /var/lib/edgectl).") var dataDirs: [String] = []
    @Option(help: "Work under this tree instead of / (tests).") var root: String = "/"
    @Option(help: "The installed binary.") var binary: String = "/usr/local/bin/edgectl"
    @Flag(help: "Leave interfaces and iptables chains alone.") var keepNetwork = false

    func run() throws { try ResetCommand.reset(dataDirs: dataDirs, root: root, network: !keepNetwork, binary: binary) }
}
