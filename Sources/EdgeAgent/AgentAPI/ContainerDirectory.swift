/// How to start a process in a running container: what the pod lifecycle
/// knows about the container's current instance.
public struct ExecTarget: Sendable {
    /// Host pid of the container's init.
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var supplementalGroups: [UInt32]
    /// Capability numbers (CAP_CHOWN = 0, ...), as ContainerSpec.
    public var capabilities: Set<Int>
    public var seccompRuntimeDefault: Bool
    public var env: [String]
    public var workingDir: String
    /// Relative cgroup path as in ContainerSpec; nil: none.
    public var cgroup: String?

    public init(pid: Int32, uid: UInt32 = 0, gid: UInt32 = 0, supplementalGroups: [UInt32] = [], capabilities: Set<Int>,
                seccompRuntimeDefault: Bool = true, env: [String], workingDir: String = "/", cgroup: String? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.supplementalGroups = supplementalGroups
        self.capabilities = capabilities
        self.seccompRuntimeDefault = seccompRuntimeDefault
        self.env = env
        self.workingDir = workingDir
        self.cgroup = cgroup
    }
}

/// The agent API's view of the pods on this node, implemented by the pod
/// lifecycle. Calls are quick lookups (no I/O beyond a stat), made from tasks.
public protocol ContainerDirectory: Sendable {
    /// The names of the pod's containers (init containers included); nil when no such pod is on this node.
    func containerNames(namespace: String, pod: String) -> [String]?
    /// CRI-format log file of the container's current instance, or of the one before it when previous is true; nil when there is none.
    func logPath(namespace: String, pod: String, container: String, previous: Bool) -> String?
    /// Whether the container's current instance is running (log follow ends when it is not).
    func isRunning(namespace: String, pod: String, container: String) -> Bool
    /// How to start a process in the running container; nil when it is not running.
    func execTarget(namespace: String, pod: String, container: String) -> ExecTarget?
    /// The pod's network namespace (its bind-mount path), for port-forward; nil when the pod or its sandbox is not here.
    func networkNamespace(namespace: String, pod: String) -> String?
}

extension ContainerDirectory {
    public func networkNamespace(namespace: String, pod: String) -> String? { nil }
}
