import EdgeCommandLine
import EdgeBoards

/// Container log rotation flags, kubelet's names and defaults; shared by server (its local agent), agent and join.
struct ContainerLogOptions: ParsableArguments {
    @Option(help: "Size at which a container's log is rotated (kubelet's containerLogMaxSize): 10Mi, 512Ki.")
    var containerLogMaxSize: String = "10Mi"

    @Option(help: "Log files kept per container, the current one included (kubelet's containerLogMaxFiles).")
    var containerLogMaxFiles: Int = 5

    func validate() throws {
        guard let b = ByteSize.parse(containerLogMaxSize), b >= 4096 else {
            throw ValidationError("--container-log-max-size must be a size of at least 4Ki, like 10Mi, got \(containerLogMaxSize)")
        }
        guard (2...100).contains(containerLogMaxFiles) else {
            throw ValidationError("--container-log-max-files must be 2-100 (kubelet requires at least 2), got \(containerLogMaxFiles)")
        }
    }

    var maxBytes: Int64 { ByteSize.parse(containerLogMaxSize) ?? 10 << 20 }
}
