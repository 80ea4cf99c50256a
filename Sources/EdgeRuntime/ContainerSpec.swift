/// What one container is started with: the runtime's view of a pod
/// container after images, volumes and security context are resolved.
public struct ContainerSpec: Sendable {
    public struct Mount: Sendable {
        public var source: String
        /// A bind mount's place inside `source` (a volume's subPath): resolved by the runtime at mount time
        /// without leaving `source`, so a symlink planted in a volume cannot lead the mount onto the host.
        public var subPath: String?
        /// Inside the container; resolved inside its root (symlinks and ".." cannot leave it).
        public var target: String
        /// nil: a bind mount of `source`.
        public var fsType: String?
        public var readOnly = false
        public var options: String?
        public init(source: String, subPath: String? = nil, target: String, fsType: String? = nil, readOnly: Bool = false, options: String? = nil) {
            self.source = source
            self.subPath = subPath
            self.target = target
            self.fsType = fsType
            self.readOnly = readOnly
            self.options = options
        }
    }

    public struct Limits: Sendable {
        public var memoryBytes: Int64 = 0
        public var cpuQuotaMicros: Int64 = 0
        public var cpuPeriodMicros: Int64 = 100_000
        public var cpuShares: Int64 = 0
        public var pids: Int64 = 0
        public init() {}
    }

    public var rootfs: String
    public var args: [String]
    public var env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    public var workingDir = "/"
    public var hostname: String
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public var supplementalGroups: [UInt32] = []
    /// Capability numbers (CAP_CHOWN = 0, ...); default: the engines' 14.
    public var capabilities: Set<Int> = ContainerSpec.defaultCapabilities
    public var seccompRuntimeDefault = true
    /// Every device of the host usable (privileged); false: only the standard character devices (device cgroup).
    public var allDevices = false
    public var readOnlyRootfs = false
    /// A pod's network namespace to join (an open fd); nil: a new, empty one.
    public var networkNamespaceFD: Int32?
    /// Descriptors that become the container's stdin, stdout, stderr (nil: /dev/null).
    public var stdio: [Int32?] = [nil, nil, nil]
    public var mounts: [Mount] = []
    /// Relative cgroup path, e.g. "edgectl/pod-<uid>/<name>"; nil: no cgroup of its own.
    public var cgroup: String?
    public var limits = Limits()
    public var openFilesLimit: UInt64 = 0

    public init(rootfs: String, args: [String], hostname: String) {
        self.rootfs = rootfs
        self.args = args
        self.hostname = hostname
    }

    /// CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP.
    public static let defaultCapabilities: Set<Int> = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31]
}
