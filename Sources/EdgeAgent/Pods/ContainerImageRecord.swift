import EdgeAPI
import EdgeRuntime

/// The image a container instance's overlay root was stacked from (<instance dir>/image.json).
/// Written before the root is mounted, so image GC never removes layers under a live mount,
/// even when the image's tag has since moved to a newer image.
struct ContainerImageRecord: Sendable, Equatable {
    var reference: String
    /// Unpacked layer directories, lowest first.
    var layers: [String]

    static func path(containerDir: String) -> String { containerDir + "/image.json" }

    func write(containerDir: String) throws {
        try PosixFile.writeJSON(Self.path(containerDir: containerDir),
                                ["reference": .string(reference), "layers": .array(layers.map { .string($0) })])
    }

    static func read(containerDir: String) -> ContainerImageRecord? {
        guard let json = PosixFile.readJSON(path(containerDir: containerDir)), let reference = json["reference"]?.string else { return nil }
        return ContainerImageRecord(reference: reference, layers: json["layers"]?.array?.compactMap(\.string) ?? [])
    }
}
