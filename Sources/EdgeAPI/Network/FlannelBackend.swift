/// How pods on different nodes reach each other, named as k3s's --flannel-backend.
public enum FlannelBackend: String, Sendable, CaseIterable {
    /// One VXLAN device per node (UDP 8472, VNI 1): works across routed networks.
    case vxlan
    /// A route per remote node's pod range via that node's address: nodes on one L2 segment, no encapsulation.
    case hostGW = "host-gw"
    /// No built-in pod network: the agent calls the CNI plugins configured on the node.
    case none
}
