import EdgeAPI

/// The Pod Security Standards' checks (k8s.io/pod-security-admission/policy),
/// each answering with upstream's reason and detail; the ones edgectl's pods
/// can express (no AppArmor, SELinux or Windows options). Results come in the
/// order of the checks' IDs, as upstream lists them; at restricted the
/// restricted capabilities and seccomp checks replace the baseline ones.
enum PodSecurityChecks {
    struct Violation: Equatable {
        var reason: String
        var detail: String
        var text: String { "\(reason) (\(detail))" }
    }

    struct Container {
        var name: String
        var spec: JSON
        func sc(_ k: String) -> JSON? { spec[path: ["securityContext", k]] }
    }

    static let baselineCapabilities: Set<String> = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                                    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
    static let safeSysctls: Set<String> = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                                           "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                                           "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                                           "net.ipv4.tcp_keepalive_probes"]
    static let restrictedVolumeTypes: Set<String> = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                                                     "projected", "secret"]

    /// `container "a"` or `containers "a", "b"`.
    static func containers(_ names: [String]) -> String {
        (names.count == 1 ? "container " : "containers ") + names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    static func quotedList(_ items: [String]) -> String { items.map { "\"\($0)\"" }.joined(separator: ", ") }

    /// What the pod spec violates at `level`.
    static func violations(_ spec: JSON, level: PodSecurityLevel) -> [Violation] {
        guard level != .privileged else { return [] }
        let all = (["initContainers", "containers", "ephemeralContainers"]).flatMap { list in
            (spec[list]?.array ?? []).map { Container(name: $0["name"]?.string ?? "", spec: $0) }
        }
        let podSC = spec["securityContext"]
        var out: [(String, Violation)] = []
        func add(_ id: String, _ reason: String, _ detail: String) { out.append((id, Violation(reason: reason, detail: detail))) }

        // allowPrivilegeEscalation (restricted)
        if level == .restricted {
            let bad = all.filter { $0.sc("allowPrivilegeEscalation")?.bool != false }.map(\.name)
            if !bad.isEmpty { add("allowPrivilegeEscalation", "allowPrivilegeEscalation != false", "\(containers(bad)) must set securityContext.allowPrivilegeEscalation=false") }
        }
        // capabilities
        if level == .restricted {
            var details: [String] = []
            let noDrop = all.filter { !($0.sc("capabilities")?["drop"]?.array?.contains(.string("ALL")) ?? false) }.map(\.name)
            if !noDrop.isEmpty { details.append("\(containers(noDrop)) must set securityContext.capabilities.drop=[\"ALL\"]") }
            for c in all {
                let added = (c.sc("capabilities")?["add"]?.array ?? []).compactMap(\.string).filter { $0 != "NET_BIND_SERVICE" }
                if !added.isEmpty { details.append("\(containers([c.name])) must not include \(quotedList(added)) in securityContext.capabilities.add") }
            }
            if !details.isEmpty { add("capabilities_restricted", "unrestricted capabilities", details.joined(separator: "; ")) }
        } else {
            var details: [String] = []
            for c in all {
                let added = (c.sc("capabilities")?["add"]?.array ?? []).compactMap(\.string).filter { !baselineCapabilities.contains($0) }
                if !added.isEmpty { details.append("\(containers([c.name])) must not include \(quotedList(added)) in securityContext.capabilities.add") }
            }
            if !details.isEmpty { add("capabilities_baseline", "non-default capabilities", details.joined(separator: "; ")) }
        }
        // hostNamespaces
        let hostNS = ["hostNetwork", "hostPID", "hostIPC"].filter { spec[$0]?.bool == true }.map { "\($0)=true" }
        if !hostNS.isEmpty { add("hostNamespaces", "host namespaces", hostNS.joined(separator: ", ")) }
        // hostPathVolumes
        let hostPaths = (spec["volumes"]?.array ?? []).filter { $0["hostPath"] != nil }.compactMap { $0["name"]?.string }
        if !hostPaths.isEmpty {
            add("hostPathVolumes", "hostPath volumes", (hostPaths.count == 1 ? "volume " : "volumes ") + quotedList(hostPaths))
        }
        // hostPorts
        var portUsers: [String] = []
        var ports: [String] = []
        for c in all {
            let hp = (c.spec["ports"]?.array ?? []).compactMap { $0["hostPort"]?.int }.filter { $0 != 0 }
            if !hp.isEmpty { portUsers.append(c.name); ports += hp.map(String.init) }
        }
        if !portUsers.isEmpty {
            add("hostPorts", "hostPort", "\(containers(portUsers)) \(portUsers.count == 1 ? "uses" : "use") \(ports.count == 1 ? "hostPort" : "hostPorts") \(ports.joined(separator: ", "))")
        }
        // privileged
        let privileged = all.filter { $0.sc("privileged")?.bool == true }.map(\.name)
        if !privileged.isEmpty { add("privileged", "privileged", "\(containers(privileged)) must not set securityContext.privileged=true") }
        // procMount
        let unmasked = all.filter { ($0.sc("procMount")?.string ?? "Default") != "Default" }.map(\.name)
        if !unmasked.isEmpty { add("procMount", "procMount", "\(containers(unmasked)) must not set securityContext.procMount to \"Unmasked\"") }
        // restrictedVolumes (restricted)
        if level == .restricted {
            var details: [String] = []
            for v in spec["volumes"]?.array ?? [] {
                guard let kind = v.object?.keys.first(where: { $0 != "name" }), !restrictedVolumeTypes.contains(kind) else { continue }
                details.append("volume \"\(v["name"]?.string ?? "")\" uses restricted volume type \"\(kind)\"")
            }
            if !details.isEmpty { add("restrictedVolumes", "restricted volume types", details.joined(separator: ", ")) }
        }
        // runAsNonRoot, runAsUser (restricted)
        if level == .restricted {
            if podSC?["runAsNonRoot"]?.bool == false {
                add("runAsNonRoot", "runAsNonRoot != true", "pod must not set securityContext.runAsNonRoot=false")
            } else {
                let explicitFalse = all.filter { $0.sc("runAsNonRoot")?.bool == false }.map(\.name)
                let unset = podSC?["runAsNonRoot"]?.bool == true ? [] : all.filter { $0.sc("runAsNonRoot")?.bool == nil }.map(\.name)
                var details: [String] = []
                if !explicitFalse.isEmpty { details.append("\(containers(explicitFalse)) must not set securityContext.runAsNonRoot=false") }
                if !unset.isEmpty { details.append("pod or \(containers(unset)) must set securityContext.runAsNonRoot=true") }
                if !details.isEmpty { add("runAsNonRoot", "runAsNonRoot != true", details.joined(separator: "; ")) }
            }
            var details: [String] = []
            if podSC?["runAsUser"]?.int == 0 { details.append("pod must not set runAsUser=0") }
            let rootUsers = all.filter { $0.sc("runAsUser")?.int == 0 }.map(\.name)
            if !rootUsers.isEmpty { details.append("\(containers(rootUsers)) must not set runAsUser=0") }
            if !details.isEmpty { add("runAsUser", "runAsUser=0", details.joined(separator: "; ")) }
        }
        // seccompProfile
        let podSeccomp = podSC?[path: ["seccompProfile", "type"]]?.string
        if level == .restricted {
            var details: [String] = []
            if podSeccomp == "Unconfined" { details.append("pod must not set securityContext.seccompProfile.type to \"Unconfined\"") }
            let unconfined = all.filter { $0.sc("seccompProfile")?["type"]?.string == "Unconfined" }.map(\.name)
            if !unconfined.isEmpty { details.append("\(containers(unconfined)) must not set securityContext.seccompProfile.type to \"Unconfined\"") }
            let podOK = podSeccomp == "RuntimeDefault" || podSeccomp == "Localhost"
            let unset = podOK ? [] : all.filter { $0.sc("seccompProfile")?["type"]?.string == nil }.map(\.name)
            if !unset.isEmpty { details.append("pod or \(containers(unset)) must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"") }
            if !details.isEmpty { add("seccompProfile_restricted", "seccompProfile", details.joined(separator: "; ")) }
        } else {
            var details: [String] = []
            if podSeccomp == "Unconfined" { details.append("pod must not set securityContext.seccompProfile.type to \"Unconfined\"") }
            let unconfined = all.filter { $0.sc("seccompProfile")?["type"]?.string == "Unconfined" }.map(\.name)
            if !unconfined.isEmpty { details.append("\(containers(unconfined)) must not set securityContext.seccompProfile.type to \"Unconfined\"") }
            if !details.isEmpty { add("seccompProfile_baseline", "seccompProfile", details.joined(separator: "; ")) }
        }
        // sysctls
        let sysctls = (podSC?["sysctls"]?.array ?? []).compactMap { $0["name"]?.string }.filter { !safeSysctls.contains($0) }
        if !sysctls.isEmpty { add("sysctls", "forbidden sysctls", sysctls.joined(separator: ", ")) }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
