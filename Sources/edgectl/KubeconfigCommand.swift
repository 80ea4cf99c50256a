import EdgeCommandLine

struct KubeconfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kubeconfig", abstract: "Print the admin kubeconfig of the local server.")

    @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
    var dataDir: String?

    func run() throws {
        let dir = DataDirectory.resolve(dataDir, role: "server")
        let path = dir + "/kubeconfig.yaml"
        guard FileSystem.exists(path) else {
            throw ValidationError("no kubeconfig at \(path): start the server first with `edgectl server --data-dir \(dir)`")
        }
        print(try FileSystem.read(path), terminator: "")
    }
}
