import EdgeAPI
import EdgeClient
import Logging
import Synchronization

/// The node's pod network, k3s-with-flannel style, inside the agent: it waits
/// for the server to give this Node a pod range and the cluster's settings,
/// then either sets up the built-in network (a bridge, a veth per pod, file
/// IPAM, and a VXLAN device or host-gw routes to the other nodes' ranges, all
/// learnt by watching Nodes) or, with --flannel-backend none or a
/// configuration in the CNI directory, hands pods to CNI plugins. Level-
/// triggered: every Node event and a periodic resync re-check the devices and
/// routes, so anything removed by hand comes back and a node that lacked a
/// kernel feature recovers once it is there.
public final class NodeNetwork: PodNetwork {
    public struct Config: Sendable {
        public var nodeName: String
        public var nodeIP: IPv4Address
        /// The agent's network state (<data dir>/network): IPAM files.
        public var stateDirectory: String
        public var cniConfigDirectory: String
        public var cniBinDirectories: [String]
        public var resyncInterval: Duration = .seconds(30)

        public init(nodeName: String, nodeIP: IPv4Address, stateDirectory: String, cniConfigDirectory: String, cniBinDirectories: [String]) {
            self.nodeName = nodeName
            self.nodeIP = nodeIP
            self.stateDirectory = stateDirectory
            self.cniConfigDirectory = cniConfigDirectory
            self.cniBinDirectories = cniBinDirectories
        }
    }

    static let nodes = BuiltinResources.nodes

    public let config: Config
    let client: APIClient
    let ops: any HostNetworkOps
    let informer: Informer
    let events: EventRecorder
    let cni: CNINetwork
    let wakeup = Wakeup()
    let logger = Logger(label: "edgectl.network")
    /// Called when readiness changes, so the Node's status is written at once.
    let readinessChanged: @Sendable () -> Void

    enum Mode: Equatable { case undecided, builtin, cni }

    struct Active {
        var plan: BridgePlan
        var bridge: Int32
        var vxlan: Int32
        var ipam: PodIPAM
    }

    /// The settings the server wrote on this Node; shared with the CNI network for its pods' DNS.
    final class Settings: Sendable {
        let value = Mutex<ClusterNetworkSettings?>(nil)
        var clusterDNS: ClusterDNS? { value.withLock { $0.map { ClusterDNS(server: $0.clusterDNS, domain: $0.clusterDomain) } } }
    }
    let settings = Settings()

    struct State {
        var mode = Mode.undecided
        var active: Active?
        var readiness = NetworkReadiness.starting
        var lastFailure: String?
        var unreachablePeers: Set<String> = []
        /// Pods on disk at start whose veths stay; the others' go once the built-in network is up
        /// (never in CNI mode: edgev* links then are nobody's business of this agent).
        var vethsToKeep: Set<String>?
        /// Veths this agent made since it started (kept by that clean-up too).
        var vethsMade: Set<String> = []
        var staleVethsRemoved = false
    }
    let state = Mutex(State())

    public init(client: APIClient, config: Config, ops: any HostNetworkOps, readinessChanged: @escaping @Sendable () -> Void = {}) {
        self.client = client
        self.config = config
        self.ops = ops
        self.readinessChanged = readinessChanged
        informer = Informer(client: client, resource: Self.nodes)
        events = EventRecorder(client: client, component: "edgectl-network", host: config.nodeName)
        let s = settings
        cni = CNINetwork(configDirectory: config.cniConfigDirectory, binDirectories: config.cniBinDirectories, clusterDNS: { s.clusterDNS })
    }

    var ipamRoot: String { config.stateDirectory + "/ipam" }

    // MARK: running

    public func run() async {
        let w = wakeup
        informer.addHandler(.any { _ in w.signal() })
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await self.informer.run() }
            g.addTask {
                await self.informer.waitForSync()
                while !Task.isCancelled {
                    await self.reconcile()
                    await self.wakeup.wait(timeout: self.config.resyncInterval)
                }
            }
        }
    }

    /// One pass: settings and range from this Node, then the devices, this node's annotations and the routes to its peers.
    func reconcile() async {
        guard let me = informer.get(config.nodeName) else {
            setReadiness(.init(ready: false, message: "Network plugin returns error: waiting for Node \(config.nodeName) to be registered"))
            return
        }
        guard let settings = ClusterNetworkSettings(annotations: ClusterNetworkSettings.annotations(of: me)) else {
            setReadiness(.init(ready: false, message: "Network plugin returns error: waiting for the server to write the cluster's network settings on Node \(config.nodeName)"))
            return
        }
        self.settings.value.withLock { $0 = settings }
        let mode = state.withLock { s -> Mode in
            if s.mode == .undecided {
                s.mode = settings.backend == .none || CNIConfigDirectory.hasCandidates(config.cniConfigDirectory) ? .cni : .builtin
            }
            return s.mode
        }
        if mode == .cni {
            setReadiness(cni.readiness())
            return
        }
        if let hit = NetworkOverlap.hostOverlap(settings.clusterCIDR, hostAddresses()) {
            let message = "the cluster's pod range \(settings.clusterCIDR) overlaps this node's network \(hit.address.canonical) on \(hit.interface): its pods could not reach that network; restart the server with a --cluster-cidr no node uses"
            await fail(me, message)
            return
        }
        guard let podCIDR = me[path: ["spec", "podCIDR"]]?.string.flatMap(IPv4CIDR.init) else {
            setReadiness(.init(ready: false, message: "Network plugin returns error: waiting for the server to assign this node's pod range (spec.podCIDR)"))
            return
        }
        do {
            let active = try ensureDevices(backend: settings.backend, podCIDR: podCIDR.canonical)
            removeStaleVeths()
            try await publish(me, active.plan)
            syncPeers(active, settings.backend, clusterCIDR: settings.clusterCIDR)
            setReadiness(.init(ready: true, unavailable: .init(status: false, reason: "FlannelIsUp", message: "Flannel is running on this node")))
            state.withLock { $0.lastFailure = nil }
        } catch {
            await fail(me, Self.explain(error))
        }
    }

    /// Not ready, with the reason on the Node's conditions and, once per distinct reason, a Warning event and a log line.
    func fail(_ me: JSON, _ message: String) async {
        let first = state.withLock { s -> Bool in
            defer { s.lastFailure = message }
            return s.lastFailure != message
        }
        if first {
            logger.error("pod network of node \(config.nodeName) is not up: \(message)")
            await events.record(me, type: "Warning", reason: "NetworkSetupFailed", message: message)
        }
        setReadiness(.init(ready: false, message: "Network plugin returns error: \(message)",
                           unavailable: .init(status: true, reason: "NetworkSetupFailed", message: message)))
    }

    /// This namespace's addresses with their interfaces' names (through ops, so tests decide them).
    func hostAddresses() -> [HostAddress] {
        guard let links = try? ops.links(), let addresses = try? ops.addresses() else { return [] }
        return addresses.compactMap { a in links.first { $0.index == a.index }.map { HostAddress(interface: $0.name, address: a.address) } }
    }

    func setReadiness(_ r: NetworkReadiness) {
        let changed = state.withLock { s -> Bool in
            defer { s.readiness = r }
            return s.readiness != r
        }
        if changed { readinessChanged() }
    }

    /// A missing kernel feature named with its fix; anything else as it came.
    static func explain(_ error: Error) -> String {
        guard let e = error as? NetworkError, e.isUnsupported else { return "\(error)" }
        let feature = e.description.contains("bridge") ? "bridge" : e.description.contains("vxlan") ? "vxlan" : e.description.contains("veth") ? "veth" : nil
        guard let feature else { return e.description }
        return "this node's kernel has no \(feature) support (\(e.description)): load the \(feature) module (modprobe \(feature)) or use a kernel with CONFIG_\(feature.uppercased()) enabled"
    }

    // MARK: the node's devices

    func ensureDevices(backend: FlannelBackend, podCIDR: IPv4CIDR) throws -> Active {
        let links = try ops.links()
        guard let uplink = BridgePlan.uplink(for: config.nodeIP, addresses: try ops.addresses(), links: links) else {
            throw NetworkError("no interface of this node holds its address \(config.nodeIP): pass the node's own address with --node-ip")
        }
        let plan = BridgePlan(backend: backend, podCIDR: podCIDR, nodeIP: config.nodeIP, uplink: uplink)
        try ops.setSysctl("net.ipv4.ip_forward", "1")
        let first = state.withLock { $0.active == nil }
        if first { try probeVeth() }
        var vxlan: Int32 = 0
        if backend == .vxlan {
            vxlan = try ensureVXLAN(plan, links)
        } else if let stale = links.first(where: { $0.name == BridgePlan.vxlanName }) {
            try ops.deleteLink(index: stale.index)
        }
        let bridge = try ensureBridge(plan, links)
        let ipam = try state.withLock { $0.active }.flatMap { $0.plan.podCIDR == podCIDR ? $0.ipam : nil }
            ?? PodIPAM(range: podCIDR, directory: ipamRoot + "/" + Self.rangeDirectory(podCIDR))
        let active = Active(plan: plan, bridge: bridge, vxlan: vxlan, ipam: ipam)
        state.withLock { $0.active = active }
        return active
    }

    static func rangeDirectory(_ cidr: IPv4CIDR) -> String { "\(cidr.network)-\(cidr.prefixLength)" }

    /// A throwaway veth pair, so a kernel without veth shows on the Node before any pod needs one.
    func probeVeth() throws {
        let name = BridgePlan.vethPrefix + "probe0"
        if let old = try ops.link(named: name) { try ops.deleteLink(index: old.index) }
        try ops.addVeth(name: name, master: 0, mtu: 0, peer: BridgePlan.vethPrefix + "probe1", peerNamespace: nil, peerMAC: nil)
        if let l = try ops.link(named: name) { try ops.deleteLink(index: l.index) }
    }

    func ensureBridge(_ plan: BridgePlan, _ links: [LinkInfo]) throws -> Int32 {
        var link = links.first { $0.name == BridgePlan.bridgeName }
        if let l = link, l.kind != "bridge" {
            throw NetworkError("\(BridgePlan.bridgeName) exists and is a \(l.kind.isEmpty ? "device" : l.kind), not edgectl's bridge: remove it (ip link del \(BridgePlan.bridgeName))")
        }
        if link == nil {
            try ops.addBridge(name: BridgePlan.bridgeName, mtu: plan.linkMTU, mac: plan.bridgeMAC)
            link = try ops.link(named: BridgePlan.bridgeName)
        }
        guard let bridge = link else { throw NetworkError("bridge \(BridgePlan.bridgeName) vanished after it was created") }
        if bridge.mtu != plan.linkMTU || !bridge.isUp {
            try ops.setLink(index: bridge.index, up: true, mtu: bridge.mtu != plan.linkMTU ? plan.linkMTU : nil)
        }
        try ensureOnlyAddress(bridge.index, plan.bridgeAddress)
        return bridge.index
    }

    func ensureVXLAN(_ plan: BridgePlan, _ links: [LinkInfo]) throws -> Int32 {
        let wanted = LinkInfo.VXLANInfo(vni: BridgePlan.vxlanVNI, local: plan.nodeIP, port: BridgePlan.vxlanPort, device: plan.uplink.index)
        var link = links.first { $0.name == BridgePlan.vxlanName }
        if let l = link, l.kind != "vxlan" || l.vxlan != wanted || l.mac != plan.vtepMAC {
            // Another node address or range since it was made (flannel recreates it then too).
            try ops.deleteLink(index: l.index)
            link = nil
        }
        if link == nil {
            try ops.addVXLAN(name: BridgePlan.vxlanName, vni: wanted.vni, local: wanted.local, device: wanted.device, port: wanted.port,
                             mtu: plan.mtu, mac: plan.vtepMAC)
            link = try ops.link(named: BridgePlan.vxlanName)
        }
        guard let vx = link else { throw NetworkError("vxlan device \(BridgePlan.vxlanName) vanished after it was created") }
        if vx.mtu != plan.mtu || !vx.isUp { try ops.setLink(index: vx.index, up: true, mtu: vx.mtu != plan.mtu ? plan.mtu : nil) }
        try ensureOnlyAddress(vx.index, plan.vtepAddress)
        return vx.index
    }

    func ensureOnlyAddress(_ index: Int32, _ address: IPv4CIDR) throws {
        let current = try ops.addresses().filter { $0.index == index }
        for a in current where a.address != address { try ops.deleteAddress(index: index, a.address) }
        if !current.contains(where: { $0.address == address }) { try ops.addAddress(index: index, address) }
    }

    /// This node's backend, VTEP and address, for its peers.
    func publish(_ me: JSON, _ plan: BridgePlan) async throws {
        var wanted = [FlannelAnnotations.backendType: plan.backend.rawValue, FlannelAnnotations.publicIP: plan.nodeIP.description]
        wanted[FlannelAnnotations.backendData] = plan.backend == .vxlan
            ? FlannelAnnotations.backendData(vni: BridgePlan.vxlanVNI, vtepMAC: plan.vtepMAC) : "null"
        let have = ClusterNetworkSettings.annotations(of: me)
        var patch = JSONObject()
        for (k, v) in wanted where have[k] != v { patch[k] = .string(v) }
        guard !patch.isEmpty else { return }
        _ = try await client.mergePatch(Self.nodes, namespace: nil, name: config.nodeName, ["metadata": ["annotations": .object(patch)]])
    }

    // MARK: peers

    func syncPeers(_ active: Active, _ backend: FlannelBackend, clusterCIDR: IPv4CIDR) {
        let peers = informer.list().compactMap(PeerNode.init(node:)).filter { $0.name != config.nodeName }
        let want = PeerRoutes.plan(backend: backend, clusterCIDR: clusterCIDR, ownPodCIDR: active.plan.podCIDR, peers: peers,
                                   vxlanDevice: active.vxlan, uplink: active.plan.uplink.index)
        var failed: [String: String] = [:]
        do {
            let have = Set(try ops.routes(protocol: RouteProtocol.edgectl))
            for r in have.subtracting(want.routes) {
                do { try ops.deleteRoute(r) } catch { logger.warning("removing route to \(r.destination): \(error)") }
            }
            for r in want.routes.subtracting(have) {
                do { try ops.replaceRoute(r) } catch {
                    failed[r.destination.description] = "\(error)"
                }
            }
            if backend == .vxlan {
                let neigh = Set(try ops.neighbours(index: active.vxlan))
                for n in neigh.subtracting(want.neighbours) {
                    do { try ops.deleteNeighbour(index: active.vxlan, n) } catch { logger.warning("removing neighbour \(n.ip): \(error)") }
                }
                for n in want.neighbours.subtracting(neigh) { try ops.replaceNeighbour(index: active.vxlan, n) }
                let fdb = Set(try ops.forwardingEntries(index: active.vxlan))
                for f in fdb.subtracting(want.forwarding) {
                    do { try ops.deleteForwardingEntry(index: active.vxlan, f) } catch { logger.warning("removing forwarding entry \(f.mac): \(error)") }
                }
                for f in want.forwarding.subtracting(fdb) { try ops.replaceForwardingEntry(index: active.vxlan, f) }
            }
        } catch {
            logger.warning("routes to other nodes' pods of node \(config.nodeName): \(error)")
        }
        // host-gw needs every peer on this node's segment: say once which ones are not.
        let newly = state.withLock { s -> [String: String] in
            let fresh = failed.filter { !s.unreachablePeers.contains($0.key) }
            s.unreachablePeers = Set(failed.keys)
            return fresh
        }
        for (cidr, why) in newly.sorted(by: { $0.key < $1.key }) {
            logger.warning("cannot route to pod range \(cidr) (\(backend.rawValue)): \(why)")
        }
    }

    // MARK: PodNetwork

    public func readiness() -> NetworkReadiness { state.withLock { $0.readiness } }

    public func clusterDNS() -> ClusterDNS? { settings.clusterDNS }

    public func setUp(_ pod: PodNetworkRequest) async throws -> PodNetworkAttachment {
        let (mode, active, readiness) = state.withLock { ($0.mode, $0.active, $0.readiness) }
        if mode == .cni { return try await cni.setUp(pod) }
        guard mode == .builtin, readiness.ready, let active else {
            throw NetworkNotReady("network is not ready: \(readiness.message)")
        }
        let ip = try active.ipam.allocate(uid: pod.uid)
        let veth = BridgePlan.vethName(podUID: pod.uid)
        state.withLock { s in if !s.staleVethsRemoved { s.vethsMade.insert(veth) } }
        do {
            try attach(pod, veth: veth, ip: ip, active)
        } catch let e as NetworkError where e.isExists {
            // Left by an attempt cut short: start over once.
            try? removeVeth(veth)
            try? ops.deletePodInterface(namespace: pod.networkNamespace, interface: CNINetwork.interface)
            do { try attach(pod, veth: veth, ip: ip, active) } catch {
                try? removeVeth(veth)
                active.ipam.release(uid: pod.uid)
                throw error
            }
        } catch {
            try? removeVeth(veth)
            active.ipam.release(uid: pod.uid)
            throw error
        }
        return PodNetworkAttachment(ips: [ip], kind: "bridge", hostInterface: veth)
    }

    func attach(_ pod: PodNetworkRequest, veth: String, ip: IPv4Address, _ a: Active) throws {
        try ops.addVeth(name: veth, master: a.bridge, mtu: a.plan.linkMTU, peer: CNINetwork.interface, peerNamespace: pod.networkNamespace,
                        peerMAC: MACAddress.derived(from: ip))
        try ops.configurePodInterface(namespace: pod.networkNamespace, interface: CNINetwork.interface,
                                      address: IPv4CIDR(address: ip, prefixLength: a.plan.podCIDR.prefixLength)!, gateway: a.plan.gateway,
                                      routeMTU: a.plan.podRouteMTU)
    }

    func removeVeth(_ name: String) throws {
        if let l = try ops.link(named: name) { try ops.deleteLink(index: l.index) }
    }

    public func tearDown(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment?) async throws {
        if attachment?.kind == "cni" || (attachment == nil && state.withLock({ $0.mode }) == .cni) {
            try await cni.tearDown(pod, attachment: attachment)
            return
        }
        do {
            try removeVeth(attachment?.hostInterface ?? BridgePlan.vethName(podUID: pod.uid))
        } catch let e as NetworkError where e.isNotFound {
            // Gone with its namespace already.
        }
        releaseAddresses(of: pod.uid)
    }

    /// Every range directory (a node given a new range keeps the old one's reservations until their pods go).
    func ranges() -> [PodIPAM] {
        PodNetworkFiles.list(ipamRoot).compactMap { dir -> PodIPAM? in
            let parts = dir.split(separator: "-")
            guard parts.count == 2, let cidr = IPv4CIDR("\(parts[0])/\(parts[1])") else { return nil }
            return try? PodIPAM(range: cidr, directory: ipamRoot + "/" + dir)
        }
    }

    func releaseAddresses(of uid: String) {
        for ipam in ranges() { ipam.release(uid: uid) }
    }

    public func check(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment) async throws {
        if attachment.kind == "cni" { try await cni.check(pod, attachment: attachment); return }
        guard let veth = attachment.hostInterface, try ops.link(named: veth) != nil else {
            throw NetworkError("the host end of pod \(pod.namespace)/\(pod.name)'s interface is gone")
        }
    }

    /// Addresses of pods not in `live` go now (deleted while the agent was down, or a set-up cut short);
    /// their veths once the built-in network is up.
    public func collectGarbage(live: Set<String>) async {
        for ipam in ranges() {
            let freed = ipam.collectGarbage(live: live)
            if !freed.isEmpty { logger.info("released pod addresses no pod holds any more: \(freed.map(\.description).joined(separator: ", "))") }
        }
        state.withLock { $0.vethsToKeep = Set(live.map { BridgePlan.vethName(podUID: $0) }) }
    }

    func removeStaleVeths() {
        guard let keep = state.withLock({ s -> Set<String>? in
            guard let keep = s.vethsToKeep?.union(s.vethsMade) else { return nil }
            s.vethsToKeep = nil
            s.vethsMade = []
            s.staleVethsRemoved = true
            return keep
        }) else { return }
        for l in (try? ops.links()) ?? [] where BridgePlan.isPodVeth(l.name) && !keep.contains(l.name) {
            do { try ops.deleteLink(index: l.index) } catch { logger.warning("removing stale pod interface \(l.name): \(error)") }
        }
    }
}
