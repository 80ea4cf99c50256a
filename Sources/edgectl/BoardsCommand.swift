import EdgeCommandLine
import EdgeBoards

/// `edgectl boards list` and `edgectl boards show NAME`: the profiles in boards/, embedded in this binary.
struct BoardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boards",
        abstract: "Board profiles: architectures, boot files, kernel arguments, memory and thermal limits, quirks.",
        subcommands: [List.self, Show.self, Detect.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the boards edgectl has a profile for.")

        func run() throws {
            print(try BoardCatalog.builtIn().table)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show everything a board's profile says.")

        @Argument(help: "The board's name, as `edgectl boards list` prints it.") var name: String

        func run() throws {
            let catalog = try BoardCatalog.builtIn()
            guard let p = catalog.profile(named: name) else {
                throw ValidationError("no board named \(name): `edgectl boards list` shows the known ones (\(catalog.profiles.map(\.name).joined(separator: ", ")))")
            }
            print(p.details)
        }
    }

    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which board this machine is (from /proc/device-tree/model).")

        @Option(help: ArgumentHelp("Read the machine's files under this directory instead of / (for tests).", visibility: .hidden))
        var hostRoot: String?

        func run() throws {
            let root = hostRoot.map { HostRoot($0) } ?? HostRoot.fromEnvironment()
            let model = BoardDetector.model(root)
            guard let p = BoardDetector.detect(root, catalog: try BoardCatalog.builtIn(), architecture: BuildInfo.arch) else {
                throw ValidationError("no profile for architecture \(BuildInfo.arch)")
            }
            print("\(p.name)\t\(p.title)\t(model: \(model ?? "none: no device tree"))")
        }
    }
}
