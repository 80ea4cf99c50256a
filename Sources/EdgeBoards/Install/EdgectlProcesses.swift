/// Which processes belong to edgectl on the given data dirs: the server or agent run on them, and
/// the per-container supervisors of their pods (`edgectl shim DIR`, then `edgectl __supervise ... LOG ...`).
/// Processes of other data dirs (another cluster on the machine, other tests) are not edgectl's to end.
public enum EdgectlProcesses {
    public struct Found: Sendable, Equatable {
        public var daemons: [ProcessInfo] = []
        public var supervisors: [ProcessInfo] = []
    }

    static let defaultDataDirs = ["server": "/var/lib/edgectl/server", "agent": "/var/lib/edgectl/agent", "join": "/var/lib/edgectl/agent"]

    public static func find(_ processes: [ProcessInfo], dataDirs: [String], selfPID: Int32) -> Found {
        var found = Found()
        for p in processes where p.pid != selfPID && isEdgectl(p.arguments) {
            let a = p.arguments
            guard a.count > 1 else { continue }
            switch a[1] {
            case "shim" where a.count > 2:
                if under(a[2], dataDirs) { found.supervisors.append(p) }
            case "__supervise" where a.count > 5:
                if under(a[5], dataDirs) { found.supervisors.append(p) }
            case "server", "agent", "join":
                let dir = flag("--data-dir", a) ?? defaultDataDirs[a[1]]!
                // A data dir given is the server's or agent's own, or one of its parents (killall on /var/lib/edgectl).
                if dataDirs.contains(where: { same(dir, $0) || under(dir, [$0]) }) { found.daemons.append(p) }
            default:
                continue
            }
        }
        return found
    }

    static func isEdgectl(_ args: [String]) -> Bool {
        guard let first = args.first else { return false }
        return first == "edgectl" || first.hasSuffix("/edgectl") || (first.split(separator: "/").last?.hasPrefix("edgectl") ?? false)
    }

    /// `--flag value` or `--flag=value`.
    static func flag(_ name: String, _ args: [String]) -> String? {
        for (i, a) in args.enumerated() {
            if a == name, i + 1 < args.count { return args[i + 1] }
            if a.hasPrefix(name + "=") { return String(a.dropFirst(name.count + 1)) }
        }
        return nil
    }

    static func normalized(_ p: String) -> String {
        var s = p
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }

    static func same(_ a: String, _ b: String) -> Bool { normalized(a) == normalized(b) }

    /// Whether `path` lies inside one of `dirs`.
    static func under(_ path: String, _ dirs: [String]) -> Bool {
        dirs.contains { d in let n = normalized(d); return path.hasPrefix(n == "/" ? "/" : n + "/") }
    }
}
