import EdgeCommandLine
import EdgeAPI
import EdgeImages

/// `edgectl images import|pull|list|rm`: the node's image store, the one the
/// agent starts containers from (<agent data dir>/images).
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Manage the node's container images.",
        subcommands: [Import.self, Pull.self, List.self, Remove.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Agent data directory (default: $EDGECTL_DATA_DIR or /var/lib/edgectl/agent); images live in its images/.")
        var dataDir: String?

        func store() throws -> ImageStore {
            try ImageStore(root: DataDirectory.resolve(dataDir, role: "agent") + "/images")
        }
    }

    static func parsePlatform(_ text: String?) throws -> ImagePlatform {
        guard let text else { return .host }
        guard let p = ImagePlatform.parse(text) else { throw ValidationError("--platform \(text) is not os/arch[/variant], e.g. linux/arm64/v8") }
        return p
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an OCI image layout (directory or tar) or a docker-archive tar.")
        @OptionGroup var options: Options
        @Argument(help: "The layout directory or archive file.") var path: String
        @Option(help: "Reference to give the image (the archive must hold one image).") var name: String?
        @Option(help: "Platform to import (default: this machine's).") var platform: String?

        func run() async throws {
            let images = try options.store().importArchive(path, reference: name, platform: try parsePlatform(platform))
            for image in images {
                print("imported \(image.references.first ?? "<none>") (\(image.id))")
            }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pull an image from a registry (loopback registries over plain HTTP).")
        @OptionGroup var options: Options
        @Argument(help: "Image reference, e.g. busybox or 127.0.0.1:5000/busybox:latest.") var reference: String
        @Option(help: "Platform to pull (default: this machine's).") var platform: String?
        @Option(help: ArgumentHelp("Registry credentials, USERNAME:PASSWORD, for a registry that asks for them (as skopeo and crictl take them).",
                                   valueName: "user:pass"))
        var creds: String?

        func run() async throws {
            var credentials: [RegistryCredential] = []
            if let creds {
                // The password may contain colons; the username may not (as in HTTP Basic auth).
                guard let colon = creds.firstIndex(of: ":"), colon != creds.startIndex else {
                    throw ValidationError("--creds must be USERNAME:PASSWORD")
                }
                credentials.append(RegistryCredential(username: String(creds[..<colon]), password: String(creds[creds.index(after: colon)...]),
                                                      source: "--creds"))
            }
            let image = try await options.store().pull(reference, platform: try parsePlatform(platform), credentials: credentials)
            print("Image is up to date for \(image.id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored images.", aliases: ["ls"])
        @OptionGroup var options: Options
        @Flag(name: .shortAndLong, help: "Print only image ids.") var quiet = false

        func run() async throws {
            let images = try options.store().list()
            if quiet {
                for image in images { print(image.id) }
                return
            }
            var rows = [["IMAGE", "TAG", "IMAGE ID", "SIZE"]]
            for image in images {
                let size = HumanSize.format(image.size)
                if image.references.isEmpty { rows.append(["<none>", "<none>", image.shortID, size]) }
                for reference in image.references {
                    let (name, tag) = Self.split(reference)
                    rows.append([name, tag, image.shortID, size])
                }
            }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max()! }
            for row in rows {
                print(row.enumerated().map { i, cell in
                    i == 3 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 3)
                }.joined())
            }
        }

        /// "docker.io/library/busybox:latest" -> ("docker.io/library/busybox", "latest"); digests have no tag.
        static func split(_ reference: String) -> (String, String) {
            var base = Substring(reference)
            if let at = base.firstIndex(of: "@") { base = base[..<at] }
            if let colon = base.lastIndex(of: ":"), !base[colon...].contains("/") {
                return (String(base[..<colon]), String(base[base.index(after: colon)...]))
            }
            return (String(base), "<none>")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an image reference (the image goes with its last one) or an image by id.")
        @OptionGroup var options: Options
        @Argument(help: "Image references or ids.") var references: [String]

        func run() async throws {
            let store = try options.store()
            for reference in references {
                try store.remove(reference)
                print("Deleted: \(reference)")
            }
        }
    }
}
