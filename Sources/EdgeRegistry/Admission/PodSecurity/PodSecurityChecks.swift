import EdgeAPI

/// The Pod Security Standards' checks (k8s.io/pod-security-admission/policy),
/// each answering with upstream's reason and detail, AppArmor, SELinux and
/// Windows options included (edgectl's runtime applies none of them, but a
/// manifest written for another cluster is judged as there). Results come in the
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

    static let appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"
    static let seLinuxTypes: Set<String> = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]

    /// What the pod spec (and its pod's `annotations`) violates at `level`.
    static func violations(_ spec: JSON, level: PodSecurityLevel, annotations: JSON? = nil) -> [Violation] {
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
        // appArmorProfile: the profile type fields and the older annotations may only name the runtime's default or a local profile.
        do {
            var setters: [String] = []
            var values = Set<String>()
            func allowedType(_ p: JSON?) -> Bool {
                guard let p, p.object != nil else { return true }
                let t = p["type"]?.string ?? ""
                if t == "RuntimeDefault" || t == "Localhost" { return true }
                values.insert(t)
                return false
            }
            if !allowedType(podSC?["appArmorProfile"]) { setters.append("pod") }
            let bad = all.filter { !allowedType($0.sc("appArmorProfile")) }.map(\.name)
            if !bad.isEmpty { setters.append(containers(bad)) }
            var forbidden: [String] = []
            for (k, v) in annotations?.object ?? JSONObject() where k.hasPrefix(appArmorAnnotationPrefix) {
                let profile = v.string ?? ""
                if !profile.isEmpty, profile != "runtime/default", !profile.hasPrefix("localhost/") {
                    forbidden.append("\(k)=\(JSONSerializer.string(.string(profile)))")
                }
            }
            var list = values.sorted()
            if !forbidden.isEmpty {
                list += forbidden.sorted()
                setters.append(forbidden.count == 1 ? "annotation" : "annotations")
            }
            if !setters.isEmpty {
                add("appArmorProfile", list.count == 1 ? "forbidden AppArmor profile" : "forbidden AppArmor profiles",
                    "\(setters.joined(separator: " and ")) must not set AppArmor profile type to \(quotedList(list))")
            }
        }
        // seLinuxOptions: a container type of the runtime's, no user or role.
        do {
            var setters: [String] = []
            var types = Set<String>()
            var setUser = false
            var setRole = false
            func valid(_ o: JSON?) -> Bool {
                guard let o, o.object != nil else { return true }
                var ok = true
                let t = o["type"]?.string ?? ""
                if !seLinuxTypes.contains(t) { ok = false; types.insert(t) }
                if !(o["user"]?.string ?? "").isEmpty { ok = false; setUser = true }
                if !(o["role"]?.string ?? "").isEmpty { ok = false; setRole = true }
                return ok
            }
            if !valid(podSC?["seLinuxOptions"]) { setters.append("pod") }
            let bad = all.filter { !valid($0.sc("seLinuxOptions")) }.map(\.name)
            if !bad.isEmpty { setters.append(containers(bad)) }
            if !setters.isEmpty {
                // Upstream's words: user and role are named only beside a forbidden type.
                var data: [String] = []
                if !types.isEmpty {
                    data.append((types.count == 1 ? "type " : "types ") + quotedList(types.sorted()))
                    if setUser { data.append("user may not be set") }
                    if setRole { data.append("role may not be set") }
                }
                add("seLinuxOptions", "seLinuxOptions",
                    "\(setters.joined(separator: " and ")) set forbidden securityContext.seLinuxOptions: \(data.joined(separator: "; "))")
            }
        }
        // windowsHostProcess
        do {
            var setters: [String] = []
            if podSC?[path: ["windowsOptions", "hostProcess"]]?.bool == true { setters.append("pod") }
            let bad = all.filter { $0.spec[path: ["securityContext", "windowsOptions", "hostProcess"]]?.bool == true }.map(\.name)
            if !bad.isEmpty { setters.append(containers(bad)) }
            if !setters.isEmpty {
                add("windowsHostProcess", "hostProcess", "\(setters.joined(separator: " and ")) must not set securityContext.windowsOptions.hostProcess=true")
            }
        }
        // sysctls
        let sysctls = (podSC?["sysctls"]?.array ?? []).compactMap { $0["name"]?.string }.filter { !safeSysctls.contains($0) }
        if !sysctls.isEmpty { add("sysctls", "forbidden sysctls", sysctls.joined(separator: ", ")) }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
