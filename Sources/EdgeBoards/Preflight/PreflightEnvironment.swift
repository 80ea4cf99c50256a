import CEdgeBoards
#if canImport(Glibc)
import Glibc
#endif

/// What the checks look at. The host's files come through `root` (fake /proc and /sys in tests);
/// what files cannot show (is a port free, is the clock synchronised, free space) through closures
/// a test replaces.
public struct PreflightEnvironment: Sendable {
    public enum Role: String, Sendable { case server, agent }

    public var root: HostRoot
    public var role: Role
    /// Whether this process will run pods (a server with its local agent, or an agent, as root):
    /// the kernel's container features and the cgroup controllers matter only then.
    public var runsPods: Bool
    public var dataDir: String
    public var board: BoardProfile?
    /// This binary's architecture (GOARCH).
    public var architecture: String
    /// Ports the role listens on: TCP 6443 (server), TCP 10250, UDP 8472 (VXLAN).
    public var tcpPorts: [Int]
    public var udpPorts: [Int]
    public var portFree: @Sendable (_ port: Int, _ udp: Bool) -> Bool
    /// nil: cannot tell.
    public var clockSynchronized: @Sendable () -> Bool?
    /// Capacity and available bytes of the filesystem holding a path (the nearest existing ancestor).
    public var filesystem: @Sendable (_ path: String) -> (capacity: Int64, available: Int64)?

    public init(root: HostRoot, role: Role, runsPods: Bool = true, dataDir: String, board: BoardProfile?, architecture: String,
                tcpPorts: [Int], udpPorts: [Int],
                portFree: @escaping @Sendable (Int, Bool) -> Bool = PreflightEnvironment.bindTest,
                clockSynchronized: @escaping @Sendable () -> Bool? = PreflightEnvironment.kernelClockSynchronized,
                filesystem: @escaping @Sendable (String) -> (capacity: Int64, available: Int64)? = PreflightEnvironment.statfs) {
        self.root = root
        self.role = role
        self.runsPods = runsPods
        self.dataDir = dataDir
        self.board = board
        self.architecture = architecture
        self.tcpPorts = tcpPorts
        self.udpPorts = udpPorts
        self.portFree = portFree
        self.clockSynchronized = clockSynchronized
        self.filesystem = filesystem
    }

    /// Whether binding the wildcard address on `port` works now (what the server will do).
    public static let bindTest: @Sendable (Int, Bool) -> Bool = { port, udp in
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        addr.sin_addr.s_addr = 0
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return rc == 0
    }

    /// The kernel's own view (adjtimex): unsynchronised when STA_UNSYNC is set, which is what
    /// timedatectl's "System clock synchronized" reports; an NTP daemon clears it once it steers the clock.
    public static let kernelClockSynchronized: @Sendable () -> Bool? = {
        switch edge_clock_synchronized() {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }

    public static let statfs: @Sendable (String) -> (capacity: Int64, available: Int64)? = { path in
        var p = path
        while true {
            var s = statvfs()
            if statvfs(p, &s) == 0 { return (Int64(s.f_blocks) * Int64(s.f_frsize), Int64(s.f_bavail) * Int64(s.f_frsize)) }
            guard let slash = p.lastIndex(of: "/"), p != "/" else { return nil }
            p = slash == p.startIndex ? "/" : String(p[..<slash])
        }
    }
}
