/// The cgroup layout (v2 unified, v1, or the hybrid of both) and the controllers pods need.
enum CgroupChecks {
    struct Layout {
        /// "v2", "v1" or "hybrid".
        var kind: String
        /// Controllers usable by edgectl: v2 root's cgroup.controllers, or the mounted, enabled v1 hierarchies.
        var controllers: Set<String>
        /// The hybrid layout's cgroup2 mount and what it holds.
        var unifiedControllers: [String]
    }

    static func layout(_ root: HostRoot) -> Layout {
        let mounts = (root.read("/proc/self/mounts") ?? "").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        if mounts.contains(where: { $0.count > 2 && $0[1] == "/sys/fs/cgroup" && $0[2] == "cgroup2" }) {
            let c = (root.line("/sys/fs/cgroup/cgroup.controllers") ?? "").split(separator: " ").map(String.init)
            return Layout(kind: "v2", controllers: Set(c), unifiedControllers: c)
        }
        // v1: a controller counts when the kernel has it enabled (/proc/cgroups) and a hierarchy is mounted for it.
        var enabled = Set<String>()
        for line in (root.read("/proc/cgroups") ?? "").split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if f.count >= 4, f[3] == "1" { enabled.insert(String(f[0])) }
        }
        var mounted = Set<String>()
        for m in mounts where m.count > 3 && m[2] == "cgroup" {
            for o in m[3].split(separator: ",") { mounted.insert(String(o)) }
        }
        let unified = mounts.first { $0.count > 2 && $0[2] == "cgroup2" && $0[1].hasPrefix("/sys/fs/cgroup/") }
        let unifiedControllers = unified.map { (root.line($0[1] + "/cgroup.controllers") ?? "").split(separator: " ").map(String.init) } ?? []
        return Layout(kind: unified == nil ? "v1" : "hybrid", controllers: enabled.intersection(mounted), unifiedControllers: unifiedControllers)
    }

    static func run(_ env: PreflightEnvironment) -> [PreflightResult] {
        let l = layout(env.root)
        var out: [PreflightResult] = []
        if l.kind == "v1" && l.controllers.isEmpty {
            return [.error("CgroupVersion", "no cgroup hierarchy is mounted at /sys/fs/cgroup: pods cannot be limited or accounted",
                           fix: "boot with systemd (it mounts cgroups), or mount cgroup2 at /sys/fs/cgroup")]
        }
        switch l.kind {
        case "v2":
            out.append(.ok("CgroupVersion", "cgroup v2 (unified hierarchy at /sys/fs/cgroup)"))
        default:
            let where_ = l.kind == "hybrid"
                ? "hybrid layout: controllers on cgroup v1 (\(l.controllers.sorted().joined(separator: ", "))), cgroup v2 at /sys/fs/cgroup/unified with \(l.unifiedControllers.isEmpty ? "no controllers" : "only " + l.unifiedControllers.joined(separator: ", "))"
                : "cgroup v1 (\(l.controllers.sorted().joined(separator: ", ")))"
            out.append(.warning("CgroupVersion", "\(where_). edgectl runs pods on the v1 controllers, but upstream Kubernetes has deprecated cgroup v1 (kubelet refuses it by default since 1.35) and systemd is dropping it",
                                fix: "boot with cgroup v2: " + KernelArgumentFix.text(["systemd.unified_cgroup_hierarchy=1"], board: env.board, root: env.root)))
        }
        if l.controllers.contains("memory") {
            out.append(.ok("CgroupMemory", "memory controller enabled (\(l.kind == "v2" ? "cgroup v2" : "cgroup v1"))"))
        } else {
            let args = (env.board?.kernelArguments.isEmpty ?? true) ? ["cgroup_enable=memory"] : env.board!.kernelArguments
            var message = "the memory cgroup controller is not enabled: pods' memory limits and OOM handling need it"
            let cmdline = (env.root.line("/proc/cmdline") ?? "").split(separator: " ").map(String.init)
            if let enable = cmdline.lastIndex(of: "cgroup_enable=memory"), let disable = cmdline.lastIndex(of: "cgroup_disable=memory"), disable > enable {
                message += "; /proc/cmdline has cgroup_disable=memory after your cgroup_enable=memory (the firmware adds it): update the firmware and bootloader (apt full-upgrade, rpi-eeprom-update -a)"
            }
            out.append(.error("CgroupMemory", message, fix: KernelArgumentFix.text(args, board: env.board, root: env.root)))
        }
        let missing = ["cpu", "pids"].filter { !l.controllers.contains($0) }
        if missing.isEmpty {
            out.append(.ok("CgroupControllers", "cpu and pids controllers enabled"))
        } else {
            out.append(.error("CgroupControllers", "cgroup controllers missing: \(missing.joined(separator: ", ")) (CPU limits and pid limits of pods need them)",
                              fix: "use a kernel with CONFIG_CGROUP_SCHED and CONFIG_CGROUP_PIDS, and mount them (systemd does this at boot)"))
        }
        return out
    }
}
