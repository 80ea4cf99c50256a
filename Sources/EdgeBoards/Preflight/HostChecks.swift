#if canImport(Glibc)
import Glibc
#endif

/// Checks of the host beyond the kernel: iptables, nft, ports, swap, clock, disk, storage, architecture.
enum HostChecks {
    static func run(_ env: PreflightEnvironment) -> [PreflightResult] {
        var out = [iptables(env), nftables(env)]
        out += ports(env)
        out += [swap(env), clock(env), freeDisk(env), storage(env), architecture(env)]
        if let m = memory(env) { out.append(m) }
        return out
    }

    /// Follows a host symlink chain inside the root (absolute targets are the host's paths).
    static func resolveLink(_ root: HostRoot, _ hostPath: String) -> String? {
        var p = hostPath
        for _ in 0..<8 {
            var buf = [CChar](repeating: 0, count: 1024)
            let n = readlink(root.resolve(p), &buf, buf.count - 1)
            if n < 0 { return root.exists(p) ? p : nil }
            let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            p = target.hasPrefix("/") ? target : String(p[..<(p.lastIndex(of: "/") ?? p.startIndex)]) + "/" + target
        }
        return p
    }

    static func iptables(_ env: PreflightEnvironment) -> PreflightResult {
        let candidates = ["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"]
        guard let target = candidates.lazy.compactMap({ resolveLink(env.root, $0) }).first else {
            return .error("Iptables", "iptables is not installed: services and pod masquerading are iptables rules",
                          fix: "apt install iptables")
        }
        let name = String(target.split(separator: "/").last ?? "")
        let flavour = name.contains("nft") ? "nft" : (name.contains("legacy") ? "legacy" : "unknown")
        let legacyTables = (env.root.read("/proc/net/ip_tables_names") ?? "").split(separator: "\n").map(String.init)
        if flavour == "nft", !legacyTables.isEmpty {
            return .warning("Iptables", "iptables is the nft flavour (\(target)), but legacy iptables tables are loaded too (\(legacyTables.joined(separator: ", ")) in /proc/net/ip_tables_names): rules in one are invisible to the other, and traffic passes both",
                            fix: "make every tool use one flavour: update-alternatives --set iptables /usr/sbin/iptables-nft, then remove the legacy rules (iptables-legacy-save shows them) or reboot")
        }
        return .ok("Iptables", "iptables \(flavour) flavour (\(target))")
    }

    /// The service proxy's default mode drives nft (Debian's nftables); the iptables mode does not need it.
    static func nftables(_ env: PreflightEnvironment) -> PreflightResult {
        guard let path = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first(where: { env.root.exists($0) }) else {
            return .warning("Nftables", "nft is not installed: the service proxy's default mode (--proxy-mode nftables) programs Services with it",
                            fix: "apt install nftables, or run the agent with --proxy-mode iptables")
        }
        return .ok("Nftables", "nft at \(path) (the service proxy's nftables mode)")
    }

    static func ports(_ env: PreflightEnvironment) -> [PreflightResult] {
        var out: [PreflightResult] = []
        for (port, udp) in env.tcpPorts.map({ ($0, false) }) + env.udpPorts.map({ ($0, true) }) {
            let name = "Port-\(port)"
            let proto = udp ? "udp" : "tcp"
            let role = [6443: "the API server", 10250: "the agent API for logs and exec", 8472: "VXLAN, the pod network between nodes"][port] ?? "edgectl"
            if env.portFree(port, udp) {
                out.append(.ok(name, "\(proto) port \(port) is free (\(role))"))
            } else if udp && port == 8472 && ownVXLAN(env.root) {
                // The kernel's socket of edgectl's own VXLAN device (a restarted agent, an upgrade) holds it.
                out.append(.ok(name, "udp port 8472 is held by edgectl's VXLAN device edge.1"))
            } else {
                out.append(.error(name, "\(proto) port \(port) is in use; \(role) needs it",
                                  fix: "stop what listens there (ss -lpn 'sport = :\(port)' names it)\(port == 6443 ? " or pick another with --https-listen-port" : port == 10250 ? " or pick another with --agent-api-port" : "")"))
            }
        }
        return out
    }

    /// Whether this network namespace has edgectl's VXLAN device (/proc/net/dev is the caller's namespace's).
    static func ownVXLAN(_ root: HostRoot) -> Bool {
        (root.read("/proc/net/dev") ?? "").split(separator: "\n").contains { $0.trimmingCharacters.hasPrefix("edge.1:") }
    }

    static func swap(_ env: PreflightEnvironment) -> PreflightResult {
        let lines = (env.root.read("/proc/swaps") ?? "").split(separator: "\n").dropFirst().map { String($0.split(separator: " ").first ?? "") }
        let onDisk = lines.filter { !$0.hasPrefix("/dev/zram") && !$0.isEmpty }
        if lines.isEmpty { return .ok("Swap", "no swap") }
        if onDisk.isEmpty { return .ok("Swap", "only compressed RAM swap (\(lines.joined(separator: ", "))): no card wear") }
        return .warning("Swap", "swap on \(onDisk.joined(separator: ", ")): pods' memory limits do not count it, eviction sees memory late, and swapping wears an SD card",
                        fix: "swapoff -a and keep it off (Raspberry Pi OS bookworm: dphys-swapfile swapoff && systemctl disable dphys-swapfile; remove swap lines from /etc/fstab)")
    }

    static func clock(_ env: PreflightEnvironment) -> PreflightResult {
        switch env.clockSynchronized() {
        case true?:
            return .ok("ClockSync", "the system clock is synchronised")
        case false?:
            return .warning("ClockSync", "the system clock is not synchronised: certificates and join tokens have validity times, and a board without a real-time clock boots at the last saved time",
                            fix: "enable NTP: timedatectl set-ntp true (systemd-timesyncd), and let the network reach an NTP server")
        case nil:
            return .warning("ClockSync", "cannot tell whether the clock is synchronised", fix: "check with timedatectl; enable NTP with timedatectl set-ntp true")
        }
    }

    static func freeDisk(_ env: PreflightEnvironment) -> PreflightResult {
        guard let fs = env.filesystem(env.dataDir) else {
            return .warning("FreeDisk", "cannot measure the filesystem of \(env.dataDir)", fix: "check that the path is valid")
        }
        let free = ByteSize.human(fs.available)
        if !env.runsPods {
            // A server without an agent holds only the store, and must start on a full disk: the
            // store then refuses writes with a clear message and deletes free space again.
            if fs.available < 64 << 20 {
                return .warning("FreeDisk", "\(free) free for \(env.dataDir): the store refuses writes once the disk is full",
                                fix: "free space on that filesystem or pass --data-dir on a larger one")
            }
            return .ok("FreeDisk", "\(free) free for \(env.dataDir)")
        }
        if fs.available < 512 << 20 {
            return .error("FreeDisk", "\(free) free for \(env.dataDir): images, container layers and logs need at least 512 MiB",
                          fix: "free space on that filesystem or pass --data-dir on a larger one")
        }
        if fs.available < 2 << 30 || (fs.capacity > 0 && fs.available * 100 < fs.capacity * 15) {
            return .warning("FreeDisk", "\(free) free for \(env.dataDir) of \(ByteSize.human(fs.capacity)): image garbage collection starts at 85% in use",
                            fix: "free space, or use a larger card or disk for --data-dir")
        }
        return .ok("FreeDisk", "\(free) free for \(env.dataDir)")
    }

    /// The block device holding `path`, from mountinfo (longest mount point that is a prefix), and its
    /// whole disk (mmcblk0 for mmcblk0p2) from /sys/dev/block.
    static func disk(_ root: HostRoot, _ path: String) -> (device: String, disk: String, mountPoint: String)? {
        var best: (mount: String, devno: String)?
        for line in (root.read("/proc/self/mountinfo") ?? "").split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count > 4 else { continue }
            let mount = String(f[4]).replacingOctalSpaces
            let inside = mount == "/" || path == mount || path.hasPrefix(mount + "/")
            if inside && mount.count >= (best?.mount.count ?? -1) { best = (mount, String(f[2])) }
        }
        guard let best else { return nil }
        var buf = [CChar](repeating: 0, count: 1024)
        let n = readlink(root.resolve("/sys/dev/block/" + best.devno), &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let components = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "/").map(String.init)
        guard let device = components.last else { return nil }
        let isPartition = root.exists("/sys/dev/block/\(best.devno)/partition")
        let disk = isPartition && components.count > 1 ? components[components.count - 2] : device
        return (device, disk, best.mount)
    }

    static func storage(_ env: PreflightEnvironment) -> PreflightResult {
        guard let d = disk(env.root, env.dataDir) else { return .ok("SDCard", "storage of \(env.dataDir) not identified (not a block device)") }
        let type = env.root.line("/sys/block/\(d.disk)/device/type")
        guard d.disk.hasPrefix("mmcblk"), type == "SD" else {
            return .ok("SDCard", "\(env.dataDir) is on \(d.device)\(type == "MMC" ? " (eMMC)" : "")")
        }
        let budget = env.role == .server ? "under 5 MB per hour for a server node" : "under 1 MB per hour for an agent node"
        return .warning("SDCard", "\(env.dataDir) is on an SD card (\(d.disk)): edgectl keeps its idle writes \(budget) (docs/BENCHMARKS.md), but images, container logs and pods' volumes add to that and cards wear out",
                        fix: "for a server, put --data-dir on a USB SSD or NVMe; on a card, keep pods' writes small and logs short (--container-log-max-size)")
    }

    static func architecture(_ env: PreflightEnvironment) -> PreflightResult {
        guard ["arm64", "arm", "amd64"].contains(env.architecture) else {
            return .error("Architecture", "architecture \(env.architecture) is not one edgectl supports (arm64, arm, amd64)",
                          fix: "use an arm64, armv7 or x86-64 machine")
        }
        if let b = env.board, !b.supports(architecture: env.architecture) {
            return .error("Architecture", "this \(env.architecture) binary runs on a \(b.title), whose OS images are \(b.architectures.joined(separator: " or "))",
                          fix: "install the \(b.architectures[0]) edgectl binary (scripts/cross-build), on the board's \(b.architectures[0]) OS")
        }
        return .ok("Architecture", "\(env.architecture)\(env.board.map { " on \($0.title) (\($0.name))" } ?? "")")
    }

    static func memory(_ env: PreflightEnvironment) -> PreflightResult? {
        guard env.role == .server else { return nil }
        let kb = (env.root.read("/proc/meminfo") ?? "").split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?
            .split(separator: " ").dropFirst().first.flatMap { Int64($0) }
        guard let kb else { return nil }
        if kb < 768 << 10 {
            return .warning("Mem", "\(ByteSize.human(kb * 1024)) of memory: too little for a server and its pods",
                            fix: "run the server on a board with 1 GB or more (a Raspberry Pi 4 or ODROID) and join this one as an agent")
        }
        return .ok("Mem", "\(ByteSize.human(kb * 1024)) of memory")
    }
}

extension String {
    /// mountinfo escapes spaces and tabs as \040 and \011.
    var replacingOctalSpaces: String {
        guard contains("\\") else { return self }
        var out = ""
        var it = Array(self)[...]
        while let c = it.first {
            if c == "\\", it.count >= 4, let v = UInt8(String(it.dropFirst().prefix(3)), radix: 8) {
                out.append(Character(Unicode.Scalar(v)))
                it = it.dropFirst(4)
            } else {
                out.append(c)
                it = it.dropFirst()
            }
        }
        return out
    }
}
