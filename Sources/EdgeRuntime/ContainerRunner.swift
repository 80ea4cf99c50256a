import CEdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Starts containers through the C core and waits for them.
public enum ContainerRunner {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Starts the container; returns its init process id.
    public static func start(_ spec: ContainerSpec) throws -> Int32 {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func c(_ s: String) -> UnsafePointer<CChar> {
            let p = strdup(s)!
            owned.append(p)
            return UnsafePointer(p)
        }
        func cOpt(_ s: String?) -> UnsafePointer<CChar>? { s.map(c) }
        let argv: [UnsafePointer<CChar>?] = spec.args.map(c) + [nil]
        let envp: [UnsafePointer<CChar>?] = spec.env.map(c) + [nil]
        let mounts = spec.mounts.map { m in
            edge_mount(source: c(m.source), subpath: cOpt(m.subPath), target: c(m.target), fstype: cOpt(m.fsType),
                       flags: m.readOnly ? UInt(MS_RDONLY) : 0, data: cOpt(m.options))
        }
        let groups = spec.supplementalGroups
        var caps: UInt64 = 0
        for n in spec.capabilities where n >= 0 && n < 64 { caps |= 1 << UInt64(n) }
        var pid: pid_t = 0
        var err = [CChar](repeating: 0, count: 1024)
        let rc = argv.withUnsafeBufferPointer { av in
            envp.withUnsafeBufferPointer { ev in
                mounts.withUnsafeBufferPointer { mv in
                    groups.withUnsafeBufferPointer { gv in
                        var cs = edge_container()
                        cs.rootfs = c(spec.rootfs)
                        cs.argv = av.baseAddress
                        cs.envp = ev.baseAddress
                        cs.cwd = c(spec.workingDir)
                        cs.hostname = c(spec.hostname)
                        cs.uid = spec.uid
                        cs.gid = spec.gid
                        cs.groups = gv.baseAddress
                        cs.ngroups = Int32(gv.count)
                        cs.capabilities = caps
                        cs.seccomp_default = spec.seccompRuntimeDefault ? 1 : 0
                        cs.readonly_rootfs = spec.readOnlyRootfs ? 1 : 0
                        cs.netns_fd = spec.networkNamespaceFD ?? -1
                        cs.stdio = (spec.stdio[0] ?? -1, spec.stdio[1] ?? -1, spec.stdio[2] ?? -1)
                        cs.mounts = mv.baseAddress
                        cs.nmounts = Int32(mv.count)
                        cs.cgroup = cOpt(spec.cgroup)
                        cs.limits = edge_cgroup_limits(memory_bytes: spec.limits.memoryBytes, cpu_quota_us: spec.limits.cpuQuotaMicros,
                                                       cpu_period_us: spec.limits.cpuPeriodMicros, cpu_shares: spec.limits.cpuShares,
                                                       pids: spec.limits.pids, all_devices: spec.allDevices ? 1 : 0)
                        cs.nofile = spec.openFilesLimit
                        return err.withUnsafeMutableBufferPointer { edge_container_start(&cs, &pid, $0.baseAddress, $0.count) }
                    }
                }
            }
        }
        guard rc == 0 else { throw Failure(description: String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        return pid
    }

    public enum Exit: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    /// Blocks until the process ends (call off the event loops).
    public static func wait(_ pid: Int32) -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    public static var cgroupV2: Bool { edge_cgroup_v2() != 0 }
    /// The capabilities this node can hand a container: its bounding set (up to the kernel's CAP_LAST_CAP)
    /// as the agent holds it, read now. What `privileged` grants.
    public static var hostCapabilities: Set<Int> {
        let mask = edge_host_capabilities()
        return Set((0..<64).filter { mask & (UInt64(1) << UInt64($0)) != 0 })
    }
    public static func removeCgroup(_ path: String) { edge_cgroup_remove(path) }
    public static func oomKills(_ path: String) -> Int64 { edge_cgroup_oom_kills(path) }
}
