/// Mounts under given directories, from this process's mountinfo, deepest first (an overlay root
/// before the volume mounted inside it).
public enum MountTable {
    public static func mounts(under dirs: [String], root: HostRoot = HostRoot("/")) -> [String] {
        var out: [String] = []
        for line in (root.read("/proc/self/mountinfo", limit: 16 << 20) ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count > 4 else { continue }
            let m = String(f[4]).replacingOctalSpaces
            if dirs.contains(where: { m == $0 || m.hasPrefix($0 == "/" ? "/" : $0 + "/") }) && !out.contains(m) { out.append(m) }
        }
        return out.sorted { $0.split(separator: "/").count > $1.split(separator: "/").count || ($0.count > $1.count) }
    }
}
