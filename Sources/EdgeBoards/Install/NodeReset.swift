#if canImport(Glibc)
import Glibc
#endif

/// `edgectl reset` and `edgectl uninstall`: after killall, remove edgectl's units, settings and
/// data dirs (and for uninstall its binary), under a root directory. Only what edgectl makes is
/// removed: its unit names, /etc/edgectl, the data dirs given, the binary path it installs.
public struct NodeReset: Sendable {
    public var writer: FileWriter
    public var dataDirs: [String]
    public var removeBinary: String?

    public init(root: String, dataDirs: [String], removeBinary: String?) {
        self.writer = FileWriter(root: root)
        self.dataDirs = dataDirs
        self.removeBinary = removeBinary
    }

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    static let unitNames = ["edgectl-server.service", "edgectl-agent.service", "edgectl-firstboot.service"]
    /// Directories no data dir may be: a typo must not empty the system.
    static let forbidden: Set<String> = ["/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/media", "/mnt", "/opt", "/proc", "/root",
                                         "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/lib", "/var/log", "/usr/local"]
    /// What marks an edgectl data dir: a non-empty directory with none of these is not removed.
    static let markers: Set<String> = ["db", "tls", "kubeconfig.yaml", "pods", "images", "agent", "server"]

    /// Refuses a data dir that is a system directory or holds things edgectl does not make.
    public func checkSafe(_ dir: String) throws {
        let d = EdgectlProcesses.normalized(dir)
        guard d.hasPrefix("/"), !Self.forbidden.contains(d), d.split(separator: "/").count >= 2 else {
            throw Failure(description: "refusing to remove \(dir): not an edgectl data directory")
        }
        let root = HostRoot("/")
        let full = writer.path(d)
        guard root.isDirectory(full) else { return }
        let entries = root.list(full)
        // /var/lib/edgectl holds server/ and agent/; a server's dir holds db/, tls/ and agent/; an agent's pods/ and images/.
        guard entries.isEmpty || entries.contains(where: Self.markers.contains) else {
            throw Failure(description: "refusing to remove \(full): it does not look like an edgectl data directory (it holds \(entries.prefix(5).joined(separator: ", ")))")
        }
    }

    /// Removes the units and settings; returns what was removed.
    public func removeUnits() -> [String] {
        var done: [String] = []
        for name in Self.unitNames {
            for p in [ServiceUnit.unitDirectory + "/multi-user.target.wants/" + name, ServiceUnit.unitDirectory + "/" + name] where writer.remove(p) {
                done.append(writer.path(p))
            }
        }
        for role in ServiceUnit.Role.allCases where writer.remove(ServiceUnit.environmentDirectory + "/\(role.rawValue).env") {
            done.append(writer.path(ServiceUnit.environmentDirectory + "/\(role.rawValue).env"))
        }
        for f in ["join.env", "firstboot.env"] where writer.remove(ServiceUnit.environmentDirectory + "/" + f) {
            done.append(writer.path(ServiceUnit.environmentDirectory + "/" + f))
        }
        if rmdir(writer.path(ServiceUnit.environmentDirectory)) == 0 { done.append(writer.path(ServiceUnit.environmentDirectory)) }
        return done
    }

    /// Removes the data dirs (no mount may remain under them: killall first) and the binary.
    public func removeData() throws -> [String] {
        var done: [String] = []
        for d in dataDirs {
            try checkSafe(d)
            let full = writer.path(EdgectlProcesses.normalized(d))
            guard HostRoot("/").exists(full) else { continue }
            let left = MountTable.mounts(under: [NodeCleanup.realPath(full)])
            guard left.isEmpty else {
                throw Failure(description: "\(full) still has mounts (\(left.prefix(3).joined(separator: ", "))): run edgectl killall, then reset again")
            }
            // --one-file-system: never reach through a mount that appeared in between.
            try Subprocess.check(["rm", "-rf", "--one-file-system", "--", full], what: "removing \(full)")
            done.append(full)
        }
        if let bin = removeBinary, writer.remove(bin) { done.append(writer.path(bin)) }
        return done
    }
}
