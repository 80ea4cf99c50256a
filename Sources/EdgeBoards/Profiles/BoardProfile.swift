/// What edgectl knows about one kind of board: read from a `boards/NAME.board` file
/// (see BoardProfileParser for the format), embedded in the binary at build time.
public struct BoardProfile: Sendable, Equatable {
    /// Short name used on the command line and in the `edgectl.io/board` label: `rpi4`.
    public var name: String
    public var title: String
    /// Strings /proc/device-tree/model starts with on this board ("Raspberry Pi 4 Model B").
    public var models: [String]
    /// Kubernetes architecture names (GOARCH) the board's OS images come in, preferred first.
    public var architectures: [String]
    public var soc: String
    public var cpu: String
    public var cores: Int
    public var memoryVariants: [Int64]
    /// Where the image keeps its boot files: `fat` (a FAT partition before the root filesystem) or `none`.
    public var bootPartition: String
    /// Where a running system mounts that partition, first match wins (/boot/firmware on newer Raspberry Pi OS).
    public var bootMounts: [String]
    /// Files on the boot partition `edgectl flash` may change.
    public var bootFiles: [String]
    /// Kernel arguments a cluster node needs on this board's kernels (memory cgroup, say).
    public var kernelArguments: [String]
    /// Where those arguments go: `cmdline.txt`, `boot.ini`, `/boot/armbianEnv.txt`, or `grub`.
    public var kernelArgumentFiles: [String]
    public var reservedMemory: ReservedMemory
    /// Hard eviction thresholds (kubelet's --eviction-hard): memory.available in bytes, filesystems in percent.
    public var evictionMemoryAvailable: Int64
    public var evictionNodefsAvailablePercent: Int64
    public var evictionImagefsAvailablePercent: Int64
    /// The thermal zone (its `type` in /sys/class/thermal) holding the SoC's temperature; nil: the first zone.
    public var thermalZone: String?
    /// Above this (°C) the node is tainted NoSchedule: the SoC starts throttling near here.
    public var thermalLimitCelsius: Int
    /// The SoC's hard limit (°C): firmware throttles fully or the kernel shuts down.
    public var thermalCriticalCelsius: Int
    /// Who reports power and throttling problems: `raspberrypi` (firmware get_throttled) or `none`.
    public var throttleFlags: String
    public var storage: [String]
    public var quirks: [String]

    public init(name: String, title: String, models: [String], architectures: [String], soc: String, cpu: String, cores: Int,
                memoryVariants: [Int64], bootPartition: String, bootMounts: [String], bootFiles: [String],
                kernelArguments: [String], kernelArgumentFiles: [String], reservedMemory: ReservedMemory,
                evictionMemoryAvailable: Int64, evictionNodefsAvailablePercent: Int64, evictionImagefsAvailablePercent: Int64,
                thermalZone: String?, thermalLimitCelsius: Int, thermalCriticalCelsius: Int, throttleFlags: String,
                storage: [String], quirks: [String]) {
        self.name = name
        self.title = title
        self.models = models
        self.architectures = architectures
        self.soc = soc
        self.cpu = cpu
        self.cores = cores
        self.memoryVariants = memoryVariants
        self.bootPartition = bootPartition
        self.bootMounts = bootMounts
        self.bootFiles = bootFiles
        self.kernelArguments = kernelArguments
        self.kernelArgumentFiles = kernelArgumentFiles
        self.reservedMemory = reservedMemory
        self.evictionMemoryAvailable = evictionMemoryAvailable
        self.evictionNodefsAvailablePercent = evictionNodefsAvailablePercent
        self.evictionImagefsAvailablePercent = evictionImagefsAvailablePercent
        self.thermalZone = thermalZone
        self.thermalLimitCelsius = thermalLimitCelsius
        self.thermalCriticalCelsius = thermalCriticalCelsius
        self.throttleFlags = throttleFlags
        self.storage = storage
        self.quirks = quirks
    }

    /// Whether images for `architecture` (GOARCH: arm64, arm, amd64) run on this board.
    public func supports(architecture: String) -> Bool { architectures.contains(architecture) }

    /// Allocatable memory on a node of this board: capacity less the reservation and the hard eviction threshold.
    public func allocatableMemory(capacity: Int64) -> Int64 {
        max(0, capacity - reservedMemory.bytes(capacity: capacity) - evictionMemoryAvailable)
    }
}
