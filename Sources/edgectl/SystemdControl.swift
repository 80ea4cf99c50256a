import EdgeBoards

/// systemctl, only on a machine booted with systemd and only for the real root (an install into a
/// directory tree, as tests and image builders do, must not touch the running system's services).
enum SystemdControl {
    static func available(root: String) -> Bool {
        root == "/" && HostRoot("/").isDirectory("/run/systemd/system") && Subprocess.available("systemctl")
    }

    /// Runs systemctl; returns a note when it fails (the files are in place either way).
    @discardableResult
    static func run(_ args: [String]) -> String? {
        guard let r = try? Subprocess.run(["systemctl"] + args) else { return "systemctl could not run" }
        return r.succeeded ? nil : "systemctl \(args.joined(separator: " ")) failed: \(r.errorText.split(separator: "\n").first ?? "")"
    }
}
