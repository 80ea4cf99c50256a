import EdgeAPI

/// What the agent hands a pod's sandbox to: the built-in bridge network
/// (NodeNetwork) or CNI plugins. The agent keeps the attachment in the pod's
/// directory and gives it back for tear-down, so a restarted agent can undo
/// what an earlier one did.
public protocol PodNetwork: Sendable {
    /// Connects the pod's namespace; throws NetworkNotReady while the node's network is not up.
    func setUp(_ pod: PodNetworkRequest) async throws -> PodNetworkAttachment
    /// Disconnects it and gives its addresses back; `attachment` is what setUp returned (nil if unknown).
    func tearDown(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment?) async throws
    /// Whether the node's network is up, for the Node's conditions.
    func readiness() -> NetworkReadiness
    /// The cluster's DNS settings (cluster DNS address and domain), once known.
    func clusterDNS() -> ClusterDNS?
    /// Releases what belongs to no pod in `live` (UIDs), after an agent restart.
    func collectGarbage(live: Set<String>) async
    /// Whether a pod's network is still as setUp left it (CNI CHECK), for pods adopted after a restart.
    func check(_ pod: PodNetworkRequest, attachment: PodNetworkAttachment) async throws
}

/// The pod as the network sees it.
public struct PodNetworkRequest: Sendable {
    public var namespace: String
    public var name: String
    public var uid: String
    /// The bind-mounted network namespace (…/pods/UID/netns).
    public var networkNamespace: String
    /// hostPort mappings, for CNI plugins that take them (portmap).
    public var portMappings: [PortMapping]

    public struct PortMapping: Hashable, Sendable {
        public var hostPort: Int64
        public var containerPort: Int64
        public var proto: String
        public var hostIP: String
        public init(hostPort: Int64, containerPort: Int64, proto: String, hostIP: String) {
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.proto = proto
            self.hostIP = hostIP
        }
    }

    public init(namespace: String, name: String, uid: String, networkNamespace: String, portMappings: [PortMapping] = []) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.networkNamespace = networkNamespace
        self.portMappings = portMappings
    }

    /// The pod's hostPort mappings (containers' ports with a hostPort), as upstream passes them to CNI.
    public static func portMappings(of pod: JSON) -> [PortMapping] {
        var out: [PortMapping] = []
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            for p in c["ports"]?.array ?? [] {
                guard let host = p["hostPort"]?.int, host > 0, host <= 65535, let port = p["containerPort"]?.int, port > 0, port <= 65535 else { continue }
                out.append(PortMapping(hostPort: host, containerPort: port, proto: (p["protocol"]?.string ?? "TCP").lowercased(),
                                       hostIP: p["hostIP"]?.string ?? ""))
            }
        }
        return out
    }
}

/// What setUp did: the pod's addresses and what tear-down needs. Stored as JSON in the pod's directory.
public struct PodNetworkAttachment: Equatable, Sendable {
    public var ips: [IPv4Address]
    /// "bridge" (the built-in network) or "cni".
    public var kind: String
    /// Built-in: the host end of the pod's veth.
    public var hostInterface: String?
    /// CNI: the configuration list the plugins were called with, and their result.
    public var cniConfig: JSON?
    public var cniResult: JSON?

    public init(ips: [IPv4Address], kind: String, hostInterface: String? = nil, cniConfig: JSON? = nil, cniResult: JSON? = nil) {
        self.ips = ips
        self.kind = kind
        self.hostInterface = hostInterface
        self.cniConfig = cniConfig
        self.cniResult = cniResult
    }

    public var json: JSON {
        var o: JSON = ["kind": .string(kind), "ips": .array(ips.map { .string($0.description) })]
        if let hostInterface { o["hostInterface"] = .string(hostInterface) }
        if let cniConfig { o["cniConfig"] = cniConfig }
        if let cniResult { o["cniResult"] = cniResult }
        return o
    }

    public init?(json: JSON) {
        guard let kind = json["kind"]?.string, let ips = json["ips"]?.array else { return nil }
        self.kind = kind
        self.ips = ips.compactMap { $0.string.flatMap(IPv4Address.init) }
        hostInterface = json["hostInterface"]?.string
        cniConfig = json["cniConfig"]
        cniResult = json["cniResult"]
    }

    public static func == (a: PodNetworkAttachment, b: PodNetworkAttachment) -> Bool {
        a.json == b.json
    }
}

/// The cluster DNS address and domain pods' resolv.conf points at (ClusterFirst).
public struct ClusterDNS: Equatable, Sendable {
    public var server: IPv4Address
    public var domain: String
    public init(server: IPv4Address, domain: String) {
        self.server = server
        self.domain = domain
    }
}

/// The pod network cannot connect pods yet (no pod range, devices not set up, no CNI configuration).
public struct NetworkNotReady: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The node's network as its conditions report it: Ready is False while `ready` is false, with
/// upstream's "container runtime network not ready" message; NetworkUnavailable is reported when
/// the built-in network owns it (CNI networks set it themselves, if at all).
public struct NetworkReadiness: Equatable, Sendable {
    public var ready: Bool
    /// Why not ready (upstream's NetworkPluginNotReady detail).
    public var message: String
    /// nil: leave the NetworkUnavailable condition alone.
    public var unavailable: Condition?

    public struct Condition: Equatable, Sendable {
        public var status: Bool
        public var reason: String
        public var message: String
        public init(status: Bool, reason: String, message: String) {
            self.status = status
            self.reason = reason
            self.message = message
        }
    }

    public init(ready: Bool, message: String = "", unavailable: Condition? = nil) {
        self.ready = ready
        self.message = message
        self.unavailable = unavailable
    }

    public static let starting = NetworkReadiness(ready: false, message: "Network plugin returns error: cni plugin not initialized")
}
