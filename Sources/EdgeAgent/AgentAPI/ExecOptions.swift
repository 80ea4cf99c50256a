/// The query of `/exec/{namespace}/{pod}/{container}`, as kubelet reads it.
struct ExecOptions: Equatable {
    var command: [String]
    var stdin: Bool
    var stdout: Bool
    var stderr: Bool
    var tty: Bool

    init(command: [String], stdin: Bool = false, stdout: Bool = true, stderr: Bool = true, tty: Bool = false) {
        self.command = command
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.tty = tty
    }

    init(query: AgentQuery) throws(AgentAPIError) {
        // The API server sends "1"; direct callers may send "true".
        func flag(_ name: String) -> Bool { ["1", "true"].contains((query.first(name) ?? "").lowercased()) }
        command = query.all("command")
        stdin = flag("input") || flag("stdin")
        stdout = flag("output") || flag("stdout")
        stderr = flag("error") || flag("stderr")
        tty = flag("tty")
        // A terminal has one output stream: stderr goes to it, as kubelet does.
        if tty { stderr = false }
        guard !command.isEmpty else { throw .badRequest("you must specify at least one command for the container") }
        guard stdin || stdout || stderr else { throw .badRequest("you must specify at least 1 of stdin, stdout, stderr") }
    }
}
