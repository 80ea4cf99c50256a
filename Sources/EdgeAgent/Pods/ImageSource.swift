import EdgeAPI

/// What the pod agent needs of an image: its identity, run defaults and the
/// unpacked layers its containers' overlay roots stack.
public struct PodImage: Sendable, Equatable {
    public var id: String
    public var reference: String
    public var entrypoint: [String]
    public var cmd: [String]
    public var env: [String]
    public var workingDir: String
    public var user: String
    /// Unpacked layer directories, lowest first.
    public var layers: [String]

    public init(id: String, reference: String, entrypoint: [String] = [], cmd: [String] = [], env: [String] = [],
                workingDir: String = "", user: String = "", layers: [String]) {
        self.id = id
        self.reference = reference
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.layers = layers
    }
}

/// The node's image store as the pod agent sees it.
public protocol ImageSource: Sendable {
    /// The image if it is already on the node.
    func present(_ reference: String) -> PodImage?
    /// Fetches the image from its registry (blocking work runs off the caller's thread),
    /// answering the registry's authentication with `credentials` in order (none: anonymous).
    func pull(_ reference: String, credentials: [RegistryCredential]) async throws -> PodImage
    /// The images on the node by normalized reference, with the platforms each one's
    /// source offers (what the node tells the scheduler; empty when not known).
    func offeredPlatforms() -> [String: [ImagePlatform]]
}

extension ImageSource {
    public func offeredPlatforms() -> [String: [ImagePlatform]] { [:] }
}
