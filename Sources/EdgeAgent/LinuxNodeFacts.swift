import EdgeBoards
#if canImport(Glibc)
import Glibc
#endif

/// NodeFacts from /proc, statvfs and uname on a Linux host.
public struct LinuxNodeFacts: NodeFactsSource {
    let dataDir: String
    /// Where the image store lives; measured apart because it may be its own filesystem.
    let imageStoreDir: String
    let internalIP: String
    let hostname: String
    /// The board's temperature and power flags (sysfs); nil: not read.
    let health: BoardHealthReader?
    /// Where /proc/meminfo is read (a fake root in tests of memory pressure and eviction).
    let root: HostRoot

    public init(dataDir: String, imageStoreDir: String? = nil, internalIP: String, hostname: String, health: BoardHealthReader? = nil,
                root: HostRoot = HostRoot("/")) {
        self.health = health
        self.root = root
        self.dataDir = dataDir
        self.imageStoreDir = imageStoreDir ?? dataDir + "/images"
        self.internalIP = internalIP
        self.hostname = hostname
    }

    static func read(_ path: String) -> String { SmallTextFile.read(path) ?? "" }

    static func meminfo(_ key: String, _ text: String) -> Int64 {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { Int64($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    /// MemAvailable in bytes (what kubelet's memory.available is close to); nil if unreadable.
    public static func memoryAvailable(_ root: HostRoot) -> Int64? {
        guard let text = root.read("/proc/meminfo") else { return nil }
        let v = meminfo("MemAvailable", text)
        return v > 0 ? v : nil
    }

    static func trimmed(_ s: String) -> String { String(s.split(separator: "\n").first ?? "") }

    public func gather() throws -> NodeFacts {
        let mem = root.read("/proc/meminfo") ?? ""
        let disk = try? FilesystemUsage.measure(dataDir)
        // An agent that runs no pods (not root) has no image store: no imagefs signal then.
        let imageFilesystem = try? FilesystemUsage.measure(imageStoreDir)
        var u = utsname()
        uname(&u)
        func field<T>(_ t: T) -> String { withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        var osImage = "Linux"
        for line in Self.read("/etc/os-release").split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            osImage = String(line.dropFirst("PRETTY_NAME=".count)).filter { $0 != "\"" }
        }
        let pidsInUse = Int64(Self.read("/proc/loadavg").split(separator: " ").dropFirst(3).first?.split(separator: "/").last ?? "0") ?? 0
        return NodeFacts(
            cpuCores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            memoryBytes: Self.meminfo("MemTotal", mem), memoryAvailableBytes: Self.meminfo("MemAvailable", mem),
            diskBytes: disk?.capacityBytes ?? 0, diskAvailableBytes: disk?.availableBytes ?? 0,
            pidsMax: Int64(Self.trimmed(Self.read("/proc/sys/kernel/pid_max"))) ?? 32768, pidsInUse: pidsInUse,
            kernelVersion: field(u.release), osImage: osImage, architecture: NodeFacts.kubernetesArchitecture(field(u.machine)),
            machineID: Self.trimmed(Self.read("/etc/machine-id")), bootID: Self.trimmed(Self.read("/proc/sys/kernel/random/boot_id")),
            internalIP: internalIP, hostname: hostname,
            imageFilesystemBytes: imageFilesystem?.capacityBytes ?? 0, imageFilesystemAvailableBytes: imageFilesystem?.availableBytes ?? 0,
            board: health?.read())
    }
}
