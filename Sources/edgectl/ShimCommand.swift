import EdgeCommandLine
import EdgeRuntime

/// `edgectl shim DIR`: the per-container supervisor the agent starts; not for people.
struct ShimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shim",
        abstract: "Internal: supervise one container described by DIR/config.json (started by the agent).",
        shouldDisplay: false
    )

    @Argument(help: "The container's directory.") var dir: String

    func run() throws {
        let rc = Shim.main(dir: dir)
        if rc != 0 { throw ExitCode(rc) }
    }
}
