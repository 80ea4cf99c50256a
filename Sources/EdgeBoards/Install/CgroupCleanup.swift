#if canImport(Glibc)
import Glibc
#endif

/// The cgroups of given pods (edgectl/pod<UID> and the containers below, in every hierarchy:
/// cgroup v2 at /sys/fs/cgroup, or each v1 controller), their remaining processes, and their removal.
public struct CgroupCleanup: Sendable {
    public var podUIDs: [String]
    public var cgroupRoot: String

    public init(podUIDs: [String], cgroupRoot: String = "/sys/fs/cgroup") {
        self.podUIDs = podUIDs.filter { !$0.isEmpty && !$0.contains("/") && $0 != "." && $0 != ".." }
        self.cgroupRoot = cgroupRoot
    }

    /// Hierarchy roots: /sys/fs/cgroup itself on v2, else its mounted subdirectories.
    var hierarchies: [String] {
        let root = HostRoot("/")
        if root.exists(cgroupRoot + "/cgroup.controllers") { return [cgroupRoot] }
        return root.list(cgroupRoot).map { cgroupRoot + "/" + $0 }.filter { root.exists($0 + "/cgroup.procs") }
    }

    /// Every pod cgroup directory that exists, deepest first.
    var directories: [String] {
        var out: [String] = []
        for h in hierarchies {
            for uid in podUIDs { collect(h + "/edgectl/pod" + uid, into: &out) }
        }
        return out
    }

    func collect(_ dir: String, into out: inout [String]) {
        let root = HostRoot("/")
        guard root.isDirectory(dir) else { return }
        for child in root.list(dir) where root.isDirectory(dir + "/" + child) { collect(dir + "/" + child, into: &out) }
        out.append(dir)
    }

    /// SIGKILL to every process still in the pods' cgroups; the count.
    public func killProcesses() -> Int {
        var n = 0
        for d in directories {
            for line in (HostRoot("/").read(d + "/cgroup.procs") ?? "").split(separator: "\n") {
                if let pid = Int32(line), pid > 1, kill(pid, SIGKILL) == 0 { n += 1 }
            }
        }
        return n
    }

    /// rmdir deepest first, retrying briefly while the killed processes exit; then the edgectl
    /// parents if nothing else is left in them.
    public func remove() -> (removed: Int, problems: [String]) {
        var removed = 0, problems: [String] = []
        for d in directories {
            var ok = rmdir(d) == 0
            var tries = 0
            while !ok && errno == EBUSY && tries < 50 {
                usleep(100_000)
                tries += 1
                ok = rmdir(d) == 0
            }
            if ok { removed += 1 } else if errno != ENOENT { problems.append("cannot remove cgroup \(d): \(String(cString: strerror(errno)))") }
        }
        for h in hierarchies { rmdir(h + "/edgectl") }  // fails, harmlessly, while other pods use it
        return (removed, problems)
    }
}
