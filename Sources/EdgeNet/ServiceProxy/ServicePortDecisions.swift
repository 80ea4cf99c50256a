/// What one service port's rules must do, decided once for both rule
/// syntaxes (ServiceRules for iptables, NFTServiceRules for nftables), so the
/// two proxy modes cannot drift apart: which endpoints serve which traffic,
/// whether a destination is answered, refused or dropped, and the steps of
/// the external chain. The renderers only spell these out.
struct ServicePortDecisions {
    /// One step of the external chain (node port, external and load-balancer
    /// IPs), in the order upstream's proxier writes them.
    enum ExternalStep: Equatable {
        /// Traffic from the pod network (this CIDR) goes to the cluster-wide chain (Local policy only).
        case podTrafficToClusterChain(podNetwork: IPv4Block)
        /// Traffic from this node is marked for masquerade (Local policy only).
        case masqueradeNodeTraffic
        /// Traffic from this node goes to the cluster-wide chain (Local policy only).
        case nodeTrafficToClusterChain
        /// Every packet is marked for masquerade (Cluster policy).
        case masqueradeAll
        /// The rest goes to the endpoints the external policy allows.
        case toExternalPolicyChain
    }

    let categories: EndpointCategories
    /// Usable endpoints anywhere (upstream's hasAnyEndpoints): decides REJECT (none) against DROP (none here).
    let hasEndpoints: Bool
    /// The cluster IP has endpoints under the internal traffic policy.
    let hasInternal: Bool
    /// Node port and external addresses have endpoints under the external traffic policy.
    let hasExternal: Bool
    /// The cluster-wide endpoint chain (SVC) is written.
    let usesCluster: Bool
    /// The local endpoint chain (SVL) is written.
    let usesLocal: Bool
    /// The external chain (EXT) is written and node port / external addresses jump to it.
    let usesExt: Bool
    /// The cluster IP jumps to the local chain (internalTrafficPolicy Local), else the cluster one.
    let internalUsesLocalChain: Bool
    /// The external chain ends in the local chain (externalTrafficPolicy Local), else the cluster one.
    let externalUsesLocalChain: Bool
    /// The external chain's steps; empty when `usesExt` is false.
    let externalSteps: [ExternalStep]

    /// `podNetwork`: the cluster's pod range when the node knows it (needed to tell pod traffic apart).
    init(_ p: ProxyServicePort, _ endpoints: [ProxyEndpoint], podNetwork: IPv4Block?) {
        let cats = EndpointCategories(p, endpoints)
        categories = cats
        hasEndpoints = endpoints.contains { $0.ready || ($0.serving && $0.terminating) }
        hasInternal = p.internalPolicyLocal ? !cats.local.isEmpty : !cats.cluster.isEmpty
        hasExternal = p.externalPolicyLocal ? !cats.local.isEmpty : !cats.cluster.isEmpty
        usesCluster = !cats.cluster.isEmpty && p.usesClusterEndpoints
        usesLocal = !cats.local.isEmpty && p.usesLocalEndpoints
        usesExt = hasEndpoints && p.externallyAccessible
        internalUsesLocalChain = p.internalPolicyLocal
        externalUsesLocalChain = p.externalPolicyLocal

        var steps: [ExternalStep] = []
        if usesExt {
            if p.externalPolicyLocal {
                // Pods and the node itself may use any endpoint; only outside clients are pinned to local ones.
                if let podNetwork, usesCluster { steps.append(.podTrafficToClusterChain(podNetwork: podNetwork)) }
                steps.append(.masqueradeNodeTraffic)
                if usesCluster { steps.append(.nodeTrafficToClusterChain) }
            } else {
                steps.append(.masqueradeAll)
            }
            if hasExternal { steps.append(.toExternalPolicyChain) }
        }
        externalSteps = steps
    }
}
