import EdgeCommandLine

/// `edgectl run-container`: one container from a root directory, in the
/// foreground, with the runtime's defaults. For comparing the runtime with
/// crun/runc and benchmarking it; pods reach the runtime through the agent.
struct RunContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-container",
        abstract: "Development: run one container from a root filesystem directory and wait for it.",
        shouldDisplay: false
    )

    @Option(help: "Root filesystem directory.") var rootfs: String
    @Option(help: "Hostname inside the container.") var hostname = "container"
    @Option(help: "Relative cgroup path for the container (none if omitted).") var cgroup: String?
    @Option(help: "Memory limit in bytes.") var memory: Int64 = 0
    @Option(help: "Process limit.") var pids: Int64 = 0
    @Option(help: "User id.") var uid: UInt32 = 0
    @Option(help: "Group id.") var gid: UInt32 = 0
    @Flag(help: "Run without the RuntimeDefault seccomp profile.") var unconfined = false
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String]

    func run() throws {
        let args = command.first == "--" ? Array(command.dropFirst()) : command
        guard !args.isEmpty else { throw ValidationError("give the command to run after --, e.g. -- sh -c 'echo hi'") }
        let request = RunContainerRequest(rootfs: rootfs, hostname: hostname, cgroup: cgroup, memory: memory, pids: pids, uid: uid, gid: gid,
                                          unconfined: unconfined, args: args)
        let code: Int32
        do { code = try request.run() } catch { throw ValidationError("\(error)") }
        if code != 0 { throw ExitCode(code) }
    }
}
