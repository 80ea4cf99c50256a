/// Kernel version and the features containers and the pod network need.
enum KernelChecks {
    struct Feature {
        var name: String
        /// All must be y or m.
        var options: [String]
        /// At least one of these must be y or m (alternatives such as iptables or nftables NAT).
        var anyOf: [String] = []
        var what: String
        /// Module names that show in /sys/module when loaded, or files in /lib/modules.
        var modules: [String]
        var severity: PreflightResult.Status = .error
    }

    static let features: [Feature] = [
        Feature(name: "Overlay", options: ["CONFIG_OVERLAY_FS"], what: "overlayfs (container root filesystems)", modules: ["overlay"]),
        Feature(name: "Veth", options: ["CONFIG_VETH"], what: "veth pairs (pod network interfaces)", modules: ["veth"]),
        Feature(name: "Bridge", options: ["CONFIG_BRIDGE", "CONFIG_BRIDGE_NETFILTER"], what: "bridging with netfilter (the node's pod bridge)",
                modules: ["bridge", "br_netfilter"]),
        Feature(name: "VXLAN", options: ["CONFIG_VXLAN"], what: "VXLAN (the pod network between nodes)", modules: ["vxlan"]),
        Feature(name: "NetfilterNAT", options: ["CONFIG_NF_NAT"], anyOf: ["CONFIG_IP_NF_NAT", "CONFIG_NFT_NAT"],
                what: "netfilter NAT (services, pod egress masquerading)", modules: ["nf_nat"]),
        Feature(name: "Seccomp", options: ["CONFIG_SECCOMP", "CONFIG_SECCOMP_FILTER"], what: "seccomp filters (RuntimeDefault profile)", modules: []),
    ]

    static func run(_ env: PreflightEnvironment) -> [PreflightResult] {
        let release = env.root.line("/proc/sys/kernel/osrelease") ?? "unknown"
        var out = [version(release)]
        let config = KernelConfig.load(env.root, release: release)
        for f in features { out.append(check(f, config: config, env: env, release: release)) }
        return out
    }

    static func version(_ release: String) -> PreflightResult {
        let parts = release.split { !$0.isNumber }.prefix(2).compactMap { Int($0) }
        guard parts.count == 2 else { return .warning("KernelVersion", "cannot read the kernel version (\(release))", fix: "check /proc/sys/kernel/osrelease") }
        let v = parts[0] * 1000 + parts[1]
        if v < 4009 {
            return .error("KernelVersion", "kernel \(release) is older than 4.9, the oldest edgectl runs containers on",
                          fix: "install your OS's current kernel (apt full-upgrade) and reboot")
        }
        if v < 5010 {
            return .warning("KernelVersion", "kernel \(release) is older than 5.10 (upstream Kubernetes asks for 4.19 or later): cgroup v2 and overlayfs fixes may be missing",
                            fix: "upgrade to your OS's current kernel (5.10 or later)")
        }
        return .ok("KernelVersion", "kernel \(release)")
    }

    static func check(_ f: Feature, config: KernelConfig?, env: PreflightEnvironment, release: String) -> PreflightResult {
        if let config {
            let missing = f.options.filter { config.value($0) == "n" }
                + (f.anyOf.isEmpty || f.anyOf.contains { config.value($0) != "n" } ? [] : [f.anyOf.joined(separator: " or ")])
            if missing.isEmpty {
                let modular = (f.options + f.anyOf).contains { config.value($0) == "m" }
                return .ok(f.name, "\(f.what): \(modular ? "built as modules" : "built in") (\(config.source))")
            }
            return PreflightResult(f.name, f.severity, "\(f.what) is missing from this kernel: \(missing.joined(separator: ", ")) not set in \(config.source)",
                                   fix: "use a kernel built with \(missing.joined(separator: ", ")) (your distribution's standard kernel has them)")
        }
        // No configuration to read: what the running kernel shows.
        if f.name == "Overlay", (env.root.read("/proc/filesystems") ?? "").split(separator: "\n").contains(where: { $0.hasSuffix("\toverlay") }) {
            return .ok(f.name, "\(f.what): registered in /proc/filesystems")
        }
        if f.name == "Seccomp", (env.root.read("/proc/self/status") ?? "").contains("Seccomp:") {
            return .ok(f.name, "\(f.what): the kernel reports Seccomp in /proc/self/status")
        }
        let builtin = env.root.read("/lib/modules/\(release)/modules.builtin") ?? ""
        let dep = env.root.read("/lib/modules/\(release)/modules.dep", limit: 8 << 20) ?? ""
        if !f.modules.isEmpty, f.modules.allSatisfy({ m in
            env.root.exists("/sys/module/" + m) || builtin.contains("/\(m).ko") || dep.contains("/\(m).ko")
        }) {
            return .ok(f.name, "\(f.what): modules \(f.modules.joined(separator: ", ")) present")
        }
        return .warning(f.name, "cannot verify \(f.what): no /proc/config.gz or /boot/config-\(release), and no sign of it in /sys/module or /lib/modules",
                        fix: "load the module (modprobe \(f.modules.first ?? f.name.lowercased())) or check the kernel's configuration")
    }
}
