import EdgeAPI
import EdgeNet
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// A pod's network: its interface and addresses from the pod network (kept in
/// network.json in its directory, so a restarted agent neither sets it up again
/// nor loses its address), and the resolv.conf and /etc/hosts its containers get.
extension PodManager {
    func isHostNetwork(_ pod: JSON) -> Bool { pod[path: ["spec", "hostNetwork"]]?.bool == true }

    /// The node's address for hostNetwork pods; else the address the pod network gave it, or, once
    /// that is released (a finished pod), the one its status already shows.
    func podIP(_ pod: JSON) -> String? {
        if isHostNetwork(pod) { return config.hostIP }
        if let uid = pod[path: ["metadata", "uid"]]?.string, let ip = local.withLock({ $0[uid]?.podIPs.first }) { return ip }
        return pod[path: ["status", "podIP"]]?.string.flatMap { $0.isEmpty ? nil : $0 }
    }

    func networkRequest(_ pod: JSON, uid: String) -> PodNetworkRequest {
        PodNetworkRequest(namespace: pod[path: ["metadata", "namespace"]]?.string ?? "default", name: pod[path: ["metadata", "name"]]?.string ?? "",
                          uid: uid, networkNamespace: paths(uid).networkNamespace, portMappings: PodNetworkRequest.portMappings(of: pod))
    }

    /// Connects the pod's namespace once; after a restart the recorded attachment is used (and checked once).
    func ensurePodNetwork(_ pod: JSON, uid: String) async throws {
        guard let network = config.network, !isHostNetwork(pod) else { return }
        let p = paths(uid)
        if let stored = PosixFile.readJSON(p.networkAttachment).flatMap(PodNetworkAttachment.init(json:)) {
            let first = local.withLock { pods -> Bool in
                defer { pods[uid]?.networkChecked = true }
                return !(pods[uid]?.networkChecked ?? false)
            }
            updateLocal(uid) { $0.podIPs = stored.ips.map(\.description) }
            if first {
                do { try await network.check(networkRequest(pod, uid: uid), attachment: stored) } catch {
                    await events.record(pod, type: "Warning", reason: "NetworkNotReady", message: "network check of the pod's sandbox failed: \(error)")
                }
            }
            return
        }
        let attachment: PodNetworkAttachment
        do {
            attachment = try await network.setUp(networkRequest(pod, uid: uid))
        } catch {
            await events.record(pod, type: "Warning", reason: "FailedCreatePodSandBox", message: "Failed to create pod sandbox: \(error)")
            throw error
        }
        do {
            try PosixFile.writeJSON(p.networkAttachment, attachment.json)
        } catch {
            try? await network.tearDown(networkRequest(pod, uid: uid), attachment: attachment)
            throw error
        }
        updateLocal(uid) { $0.podIPs = attachment.ips.map(\.description); $0.networkChecked = true }
    }

    /// Gives the pod's interface and addresses back (before its namespace goes).
    func releasePodNetwork(_ uid: String, namespace: String, name: String) async {
        guard let network = config.network else { return }
        let p = paths(uid)
        guard PosixFile.exists(p.networkAttachment) else { return }
        let stored = PosixFile.readJSON(p.networkAttachment).flatMap(PodNetworkAttachment.init(json:))
        let request = PodNetworkRequest(namespace: namespace, name: name, uid: uid, networkNamespace: p.networkNamespace)
        do {
            try await network.tearDown(request, attachment: stored)
        } catch {
            logger.warning("releasing the network of pod \(namespace)/\(name) (\(uid)): \(error)")
        }
        unlink(p.networkAttachment)
    }

    /// resolv.conf per dnsPolicy/dnsConfig and the managed /etc/hosts, as the kubelet and containerd write them.
    func writeDNSFiles(_ pod: JSON, uid: String) async throws {
        let p = paths(uid)
        let host = ResolvConf.parse(PosixFile.read(config.resolvConf).map { String(decoding: $0, as: UTF8.self) } ?? "")
        let cluster = config.network?.clusterDNS()
        let dns = PodDNSConfig.compose(pod: pod, cluster: cluster, host: host)
        for w in dns.warnings {
            await events.record(pod, type: "Warning", reason: w.contains("ClusterDNS") ? "MissingClusterDNS" : "DNSConfigForming", message: w)
        }
        try PosixFile.write(p.resolvConf, Array(dns.resolvConf.render().utf8))
        let aliases = pod[path: ["spec", "hostAliases"]]?.array ?? []
        let hosts: String
        if isHostNetwork(pod) {
            let node = PosixFile.read(config.hostsFile).map { String(decoding: $0, as: UTF8.self) } ?? ""
            hosts = PodHostsFile.renderHostNetwork(nodeHosts: node, aliases: aliases)
        } else {
            let hostname = PodHostname.hostname(pod)
            hosts = PodHostsFile.render(ips: podIP(pod).map { [$0] } ?? [], hostname: hostname,
                                        domain: PodHostname.domain(pod, clusterDomain: cluster?.domain ?? "cluster.local"), aliases: aliases)
        }
        try PosixFile.write(p.etcHosts, Array(hosts.utf8))
    }
}
