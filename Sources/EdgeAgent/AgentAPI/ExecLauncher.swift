import EdgeRuntime

/// A started exec process as the session drives it: this side's descriptors
/// (owned by the session from here on) and how to resize and reap it.
struct LaunchedProcess {
    var stdin: Int32?
    var stdout: Int32?
    var stderr: Int32?
    /// The pty master (stdin and stdout at once) with tty.
    var terminal: Int32?
    var resize: (UInt16, UInt16) -> Void
    /// The exit code once it ended (128 + signal when killed), else nil. Never blocks.
    var pollExit: () -> Int32?
}

/// Starts exec processes; the real one goes through ContainerExec, tests fake it.
typealias ExecLauncher = @Sendable (ExecTarget, ExecOptions) throws -> LaunchedProcess

enum ContainerExecLauncher {
    static let launch: ExecLauncher = { target, options in
        var spec = target.execSpec(options.command)
        spec.tty = options.tty
        spec.stdin = options.stdin
        spec.stdout = options.stdout
        spec.stderr = options.stderr
        let p = try ContainerExec.start(spec)
        return LaunchedProcess(stdin: p.stdin, stdout: p.stdout, stderr: p.stderr, terminal: p.terminal,
                               resize: { p.resize(columns: $0, rows: $1) },
                               pollExit: {
                                   switch ContainerExec.poll(p.pid) {
                                   case .exited(let c)?: return c
                                   case .signaled(let s)?: return 128 + s
                                   case nil: return nil
                                   }
                               })
    }
}
