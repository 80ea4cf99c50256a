import EdgeBoards

/// A pod's memory working set from its cgroup (edgectl/pod<UID>): usage less inactive file pages,
/// kubelet's measure for eviction. cgroup v2: memory.current and memory.stat's inactive_file;
/// v1: memory.usage_in_bytes and total_inactive_file.
enum PodMemoryUsage {
    static func workingSet(uid: String, root: HostRoot = HostRoot("/")) -> Int64? {
        let v2 = "/sys/fs/cgroup/edgectl/pod\(uid)", v1 = "/sys/fs/cgroup/memory/edgectl/pod\(uid)"
        if let usage = root.line(v2 + "/memory.current").flatMap({ Int64($0) }) {
            return max(0, usage - stat(root.read(v2 + "/memory.stat"), "inactive_file"))
        }
        if let usage = root.line(v1 + "/memory.usage_in_bytes").flatMap({ Int64($0) }) {
            return max(0, usage - stat(root.read(v1 + "/memory.stat"), "total_inactive_file"))
        }
        return nil
    }

    static func stat(_ text: String?, _ key: String) -> Int64 {
        for line in (text ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, f[0] == key { return Int64(f[1]) ?? 0 }
        }
        return 0
    }
}
