import EdgeCommandLine
import EdgeImages
import EdgeRuntime
import EdgeStore
import EdgeTLS

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print version, architecture and build information.")

    func run() {
        print("edgectl \(BuildInfo.version) (Kubernetes API \(BuildInfo.kubernetesVersion)) linux/\(BuildInfo.arch)")
        print("architecture: \(BuildInfo.machine)")
        print("compiler: \(BuildInfo.compiler)")
        print("libraries: " + Self.libraries.joined(separator: ", "))
    }

    /// The C libraries inside the binary, as they report themselves (in a static build,
    /// the versions linked in; otherwise the ones loaded).
    static var libraries: [String] {
        [RuntimeLibraries.glibc, SQLiteLibrary.version, TLSLibrary.version, RuntimeLibraries.seccomp, ZlibLibrary.version]
    }
}
