import EdgeAPI

/// Another node as the pod network needs it: its pod range, the address its
/// traffic is sent to, and (vxlan) its VTEP's MAC.
public struct PeerNode: Equatable, Sendable {
    public var name: String
    public var podCIDR: IPv4CIDR
    public var publicIP: IPv4Address
    public var backend: String?
    public var vtepMAC: MACAddress?

    public init(name: String, podCIDR: IPv4CIDR, publicIP: IPv4Address, backend: String?, vtepMAC: MACAddress?) {
        self.name = name
        self.podCIDR = podCIDR
        self.publicIP = publicIP
        self.backend = backend
        self.vtepMAC = vtepMAC
    }

    /// nil for a node without a pod range or an address yet.
    public init?(node: JSON) {
        guard let name = node[path: ["metadata", "name"]]?.string,
              let cidr = node[path: ["spec", "podCIDR"]]?.string.flatMap(IPv4CIDR.init) else { return nil }
        let annotations = ClusterNetworkSettings.annotations(of: node)
        let internalIP = (node[path: ["status", "addresses"]]?.array ?? []).first { $0["type"]?.string == "InternalIP" }?["address"]?.string
        guard let ip = (annotations[FlannelAnnotations.publicIP] ?? internalIP).flatMap(IPv4Address.init) else { return nil }
        self.init(name: name, podCIDR: cidr.canonical, publicIP: ip, backend: annotations[FlannelAnnotations.backendType],
                  vtepMAC: annotations[FlannelAnnotations.backendData].flatMap(FlannelAnnotations.vtepMAC))
    }
}
