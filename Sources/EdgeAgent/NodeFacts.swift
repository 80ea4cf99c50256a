import EdgeAPI
import EdgeBoards

/// What a node reports about itself, gathered from the host (or a fake in tests).
public struct NodeFacts: Sendable, Equatable {
    public var cpuCores: Int
    public var memoryBytes: Int64
    public var memoryAvailableBytes: Int64
    public var diskBytes: Int64
    public var diskAvailableBytes: Int64
    /// The filesystem holding the image store (kubelet's imagefs; often the same as the data dir's). Zero: unknown.
    public var imageFilesystemBytes: Int64
    public var imageFilesystemAvailableBytes: Int64
    public var pidsMax: Int64
    public var pidsInUse: Int64
    public var kernelVersion: String
    public var osImage: String
    public var architecture: String
    public var machineID: String
    public var bootID: String
    public var internalIP: String
    public var hostname: String
    /// SoC temperature and firmware power flags; nil where the host reports none.
    public var board: BoardHealth?

    public init(cpuCores: Int, memoryBytes: Int64, memoryAvailableBytes: Int64, diskBytes: Int64, diskAvailableBytes: Int64,
                pidsMax: Int64, pidsInUse: Int64, kernelVersion: String, osImage: String, architecture: String,
                machineID: String, bootID: String, internalIP: String, hostname: String,
                imageFilesystemBytes: Int64 = 0, imageFilesystemAvailableBytes: Int64 = 0, board: BoardHealth? = nil) {
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.memoryAvailableBytes = memoryAvailableBytes
        self.diskBytes = diskBytes
        self.diskAvailableBytes = diskAvailableBytes
        self.imageFilesystemBytes = imageFilesystemBytes
        self.imageFilesystemAvailableBytes = imageFilesystemAvailableBytes
        self.pidsMax = pidsMax
        self.pidsInUse = pidsInUse
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.architecture = architecture
        self.machineID = machineID
        self.bootID = bootID
        self.internalIP = internalIP
        self.hostname = hostname
        self.board = board
    }

    /// Kubernetes' names for machine architectures (uname -m → GOARCH).
    public static func kubernetesArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case let m where m.hasPrefix("armv"): return "arm"
        default: return machine
        }
    }
}

/// Gathers NodeFacts (the agent's host, or a fake).
public protocol NodeFactsSource: Sendable {
    func gather() throws -> NodeFacts
}
