import EdgeAPI
import EdgeRuntime

/// A pod container plus its image and resolved environment and mounts, turned
/// into what the runtime starts: a pure function, tested without a runtime.
enum ContainerSpecBuilder {
    struct Input {
        var pod: JSON
        var container: JSON
        var image: PodImage
        /// Image env overlaid with the container's resolved env, in order.
        var env: [(String, String)]
        var rootfs: String
        var mounts: [ContainerSpec.Mount]
        var cgroup: String
        /// /etc/passwd and /etc/group of the image's root, for named users.
        var passwd: String
        var group: String
        /// What this node can grant (ContainerRunner.hostCapabilities): privileged gets all of it.
        var hostCapabilities: Set<Int>
    }

    struct ConfigError: Error, CustomStringConvertible { let description: String }

    static func build(_ i: Input) throws -> ContainerSpec {
        var envMap: [String: String] = [:]
        for (k, v) in i.env { envMap[k] = v }
        let argv = ContainerCommand.argv(container: i.container, image: i.image, env: envMap)
        guard !argv.isEmpty else {
            throw ConfigError(description: "no command specified: the image has no entrypoint or cmd, so the container needs command")
        }
        let podName = i.pod[path: ["metadata", "name"]]?.string ?? "pod"
        let hostname = i.pod[path: ["spec", "hostname"]]?.string ?? String(podName.prefix(63))
        var spec = ContainerSpec(rootfs: i.rootfs, args: argv, hostname: hostname)
        spec.env = i.env.map { "\($0.0)=\($0.1)" }
        if !envMap.keys.contains("HOSTNAME") { spec.env.append("HOSTNAME=\(hostname)") }
        spec.workingDir = i.container["workingDir"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? (i.image.workingDir.isEmpty ? "/" : i.image.workingDir)
        let podSC = i.pod[path: ["spec", "securityContext"]] ?? [:]
        let sc = i.container["securityContext"] ?? [:]
        let identity = try user(image: i.image.user, passwd: i.passwd, group: i.group)
        spec.uid = try id(sc["runAsUser"]?.int ?? podSC["runAsUser"]?.int ?? Int64(identity.uid), "runAsUser")
        spec.gid = try id(sc["runAsGroup"]?.int ?? podSC["runAsGroup"]?.int ?? Int64(identity.gid), "runAsGroup")
        if (sc["runAsNonRoot"]?.bool ?? podSC["runAsNonRoot"]?.bool ?? false) && spec.uid == 0 {
            throw ConfigError(description: "container has runAsNonRoot and image will run as root")
        }
        var groups = try (podSC["supplementalGroups"]?.array ?? []).compactMap(\.int).map { try id($0, "supplementalGroups") }
        if let fs = podSC["fsGroup"]?.int { groups.append(try id(fs, "fsGroup")) }
        spec.supplementalGroups = groups
        let privileged = sc["privileged"]?.bool ?? false
        // Privileged: everything this node has (its bounding set may lack some; asking for those fails capset),
        // and every device, as upstream's privileged containers.
        spec.capabilities = privileged ? i.hostCapabilities : try capabilities(sc["capabilities"], host: i.hostCapabilities)
        spec.allDevices = privileged
        let seccomp = sc[path: ["seccompProfile", "type"]]?.string ?? podSC[path: ["seccompProfile", "type"]]?.string ?? "RuntimeDefault"
        spec.seccompRuntimeDefault = !privileged && seccomp != "Unconfined"
        spec.readOnlyRootfs = sc["readOnlyRootFilesystem"]?.bool ?? false
        spec.mounts = i.mounts
        spec.cgroup = i.cgroup
        spec.limits = limits(i.container["resources"] ?? [:])
        return spec
    }

    /// The defaults less what is dropped plus what is added. A default the node lacks is left out (nobody asked for
    /// it); an added one it lacks is an error that names it, instead of a start that fails with "capset failed".
    static func capabilities(_ c: JSON?, host: Set<Int>) throws -> Set<Int> {
        var set = ContainerSpec.defaultCapabilities.intersection(host)
        for name in (c?["drop"]?.array ?? []).compactMap({ $0.string }) {
            if name.uppercased() == "ALL" { set = []; continue }
            guard let n = Capabilities.number(name) else { throw ConfigError(description: "unknown capability \(name) in capabilities.drop") }
            set.remove(n)
        }
        for name in (c?["add"]?.array ?? []).compactMap({ $0.string }) {
            if name.uppercased() == "ALL" { set = host; continue }
            guard let n = Capabilities.number(name) else { throw ConfigError(description: "unknown capability \(name) in capabilities.add") }
            guard host.contains(n) else {
                throw ConfigError(description: "capability \(Capabilities.names[n]) in capabilities.add is not in this node's bounding set, so no container here can have it")
            }
            set.insert(n)
        }
        return set
    }

    /// A user or group id from the pod (range-checked: a value from a client must not trap the agent).
    static func id(_ v: Int64, _ field: String) throws -> UInt32 {
        guard let id = UInt32(exactly: v), id < UInt32.max else { throw ConfigError(description: "\(field) \(v) is not a valid user or group id") }
        return id
    }

    /// Memory limit, CFS quota from the cpu limit, shares from the cpu request (as upstream: 1 cpu = 1024 shares, at least 2).
    static func limits(_ resources: JSON) -> ContainerSpec.Limits {
        var l = ContainerSpec.Limits()
        // Quantities may be anything a Double holds ("1e400"): conversions and products saturate.
        if let m = resources[path: ["limits", "memory"]].flatMap(QuantityValue.milli).flatMap({ QuantityValue.saturatingInt64($0 / 1000) }) {
            l.memoryBytes = m
        }
        if let cpu = resources[path: ["limits", "cpu"]].flatMap(QuantityValue.milliInt) {
            l.cpuQuotaMicros = max(1000, cpu.saturatingMultiplied(by: l.cpuPeriodMicros) / 1000)
        }
        let request = resources[path: ["requests", "cpu"]].flatMap(QuantityValue.milliInt) ?? resources[path: ["limits", "cpu"]].flatMap(QuantityValue.milliInt)
        // cgroup v1 caps shares at 262144 (v2 weights are derived from them): larger requests change nothing.
        l.cpuShares = min(262_144, max(2, (request ?? 0).saturatingMultiplied(by: 1024) / 1000))
        return l
    }

    /// The image's USER: "uid", "uid:gid", "name", "name:group", resolved in the image's own files.
    static func user(image: String, passwd: String, group: String) throws -> (uid: UInt32, gid: UInt32) {
        if image.isEmpty { return (0, 0) }
        let parts = image.split(separator: ":", maxSplits: 1).map(String.init)
        var uid: UInt32, gid: UInt32 = 0
        if let n = UInt32(parts[0]) {
            uid = n
            if let line = passwdLine(passwd, where: { $0[2] == parts[0] }), let g = UInt32(line[3]) { gid = g }
        } else if let line = passwdLine(passwd, where: { $0[0] == parts[0] }), let u = UInt32(line[2]) {
            uid = u
            gid = UInt32(line[3]) ?? 0
        } else {
            throw ConfigError(description: "unable to find user \(parts[0]): no matching entries in passwd file")
        }
        if parts.count == 2 {
            if let g = UInt32(parts[1]) { gid = g } else if let line = passwdLine(group, where: { $0[0] == parts[1] }), let g = UInt32(line[2]) {
                gid = g
            } else {
                throw ConfigError(description: "unable to find group \(parts[1]): no matching entries in group file")
            }
        }
        return (uid, gid)
    }

    static func passwdLine(_ text: String, where match: ([String]) -> Bool) -> [String]? {
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if f.count >= 4 && match(f) { return f }
        }
        return nil
    }
}
