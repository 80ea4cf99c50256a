import EdgeAPI

/// The spec travels to the container's supervisor as a JSON file in the
/// container's directory; stdio and the network namespace are opened there.
extension ContainerSpec {
    public var json: JSON {
        var o: JSON = ["rootfs": .string(rootfs), "args": .array(args.map { .string($0) }), "env": .array(env.map { .string($0) }),
                       "workingDir": .string(workingDir), "hostname": .string(hostname), "uid": .int(Int64(uid)), "gid": .int(Int64(gid)),
                       "supplementalGroups": .array(supplementalGroups.map { .int(Int64($0)) }),
                       "capabilities": .array(capabilities.sorted().map { .int(Int64($0)) }),
                       "seccompRuntimeDefault": .bool(seccompRuntimeDefault), "allDevices": .bool(allDevices), "readOnlyRootfs": .bool(readOnlyRootfs),
                       "openFilesLimit": .int(Int64(openFilesLimit)),
                       "limits": ["memoryBytes": .int(limits.memoryBytes), "cpuQuotaMicros": .int(limits.cpuQuotaMicros),
                                  "cpuPeriodMicros": .int(limits.cpuPeriodMicros), "cpuShares": .int(limits.cpuShares), "pids": .int(limits.pids)],
                       "mounts": .array(mounts.map { m in
                           var j: JSON = ["source": .string(m.source), "target": .string(m.target), "readOnly": .bool(m.readOnly)]
                           if let t = m.fsType { j["fsType"] = .string(t) }
                           if let sub = m.subPath { j["subPath"] = .string(sub) }
                           if let d = m.options { j["options"] = .string(d) }
                           return j
                       })]
        if let cgroup { o["cgroup"] = .string(cgroup) }
        return o
    }

    public init(json j: JSON) throws {
        guard let rootfs = j["rootfs"]?.string, let args = j["args"]?.array?.compactMap({ $0.string }), !args.isEmpty else {
            throw ContainerRunner.Failure(description: "container config lacks rootfs or args")
        }
        self.init(rootfs: rootfs, args: args, hostname: j["hostname"]?.string ?? "container")
        env = j["env"]?.array?.compactMap { $0.string } ?? env
        workingDir = j["workingDir"]?.string ?? "/"
        uid = UInt32(j["uid"]?.int ?? 0)
        gid = UInt32(j["gid"]?.int ?? 0)
        supplementalGroups = (j["supplementalGroups"]?.array ?? []).compactMap { $0.int.map { UInt32($0) } }
        if let caps = j["capabilities"]?.array { capabilities = Set(caps.compactMap { $0.int.map { Int(clamping: $0) } }) }
        seccompRuntimeDefault = j["seccompRuntimeDefault"]?.bool ?? true
        allDevices = j["allDevices"]?.bool ?? false
        readOnlyRootfs = j["readOnlyRootfs"]?.bool ?? false
        openFilesLimit = UInt64(j["openFilesLimit"]?.int ?? 0)
        cgroup = j["cgroup"]?.string
        if let l = j["limits"] {
            limits.memoryBytes = l["memoryBytes"]?.int ?? 0
            limits.cpuQuotaMicros = l["cpuQuotaMicros"]?.int ?? 0
            limits.cpuPeriodMicros = l["cpuPeriodMicros"]?.int ?? 100_000
            limits.cpuShares = l["cpuShares"]?.int ?? 0
            limits.pids = l["pids"]?.int ?? 0
        }
        mounts = (j["mounts"]?.array ?? []).compactMap { m in
            guard let s = m["source"]?.string, let t = m["target"]?.string else { return nil }
            return Mount(source: s, subPath: m["subPath"]?.string, target: t, fsType: m["fsType"]?.string, readOnly: m["readOnly"]?.bool ?? false,
                         options: m["options"]?.string)
        }
    }
}
