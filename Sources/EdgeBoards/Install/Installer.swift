#if canImport(Glibc)
import Glibc
#endif

/// `edgectl install server|agent`: the binary, the data dir, the environment file (0600, the only
/// place the token is written), the unit and its multi-user.target.wants link (what
/// `systemctl enable` makes), all under a root directory so tests and image builders can install
/// into a tree. Starting the service is the caller's (systemctl, only on a running system).
public struct Installer: Sendable {
    public var writer: FileWriter
    public var unit: ServiceUnit
    /// The binary to install; nil keeps what is at unit.binary already.
    public var binarySource: String?
    public var dataDir: String

    public init(root: String, unit: ServiceUnit, binarySource: String?, dataDir: String) {
        self.writer = FileWriter(root: root)
        self.unit = unit
        self.binarySource = binarySource
        self.dataDir = dataDir
    }

    /// Does the work; returns what was done, one line each, for the user.
    public func install() throws -> [String] {
        var done: [String] = []
        if let src = binarySource {
            // Written beside and renamed over: a running edgectl keeps its (old) inode; the restart picks the new one.
            try writer.copy(from: src, to: unit.binary, mode: 0o755)
            done.append("installed \(writer.path(unit.binary)) from \(src)")
        } else if access(writer.path(unit.binary), X_OK) != 0 {
            throw FileWriter.Failure(description: "no edgectl binary at \(writer.path(unit.binary)): pass --binary PATH")
        }
        try writer.makeDirectories(dataDir, mode: 0o700)
        chmod(writer.path(dataDir), 0o700)
        done.append("data directory \(writer.path(dataDir)) (0700)")
        try writer.makeDirectories(ServiceUnit.environmentDirectory, mode: 0o700)
        try writer.write(unit.environmentPath, unit.environmentText, mode: 0o600)
        done.append("settings \(writer.path(unit.environmentPath)) (0600\(unit.environment.contains { $0.key == "EDGECTL_TOKEN" } ? ", holds the join token" : ""))")
        try writer.write(unit.unitPath, unit.unitText, mode: 0o644)
        try writer.symlink(unit.unitPath, at: unit.wantsLink)
        done.append("unit \(writer.path(unit.unitPath)), enabled (\(writer.path(unit.wantsLink)))")
        return done
    }
}
