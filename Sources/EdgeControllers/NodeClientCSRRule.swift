/// Which node client certificate requests (signer kube-apiserver-client-kubelet)
/// are approved without an admin, as upstream's csrapproving controller decides
/// for kubelets, plus edgectl's guard against name takeover:
/// - a node renewing its own certificate ("selfnodeclient"): the requester is
///   system:node:NAME in group system:nodes and asks for exactly that name;
/// - a joining machine (system:bootstrappers) asking for a node name no Node has yet.
/// Everything else is left pending for an admin (`kubectl certificate approve`),
/// in particular a node asking for another node's name: its credentials must
/// never turn into someone else's identity.
public enum NodeClientCSRRule {
    public enum Decision: Equatable, Sendable {
        case approveRenewal
        case approveJoin
        /// A bootstrapper asking for the name of a node that already exists.
        case denyNodeExists(node: String)
        case leaveForAdmin
    }

    static let nodePrefix = "system:node:"
    static let nodeGroup = "system:nodes"

    /// `subject` is what the certificate request itself asks for; `username`
    /// and `groups` are who submitted it, as the API server recorded them.
    public static func decide(commonName: String, organizations: [String], usages: [String], username: String, groups: [String],
                              nodeExists: (String) -> Bool) -> Decision {
        guard organizations == [nodeGroup], commonName.hasPrefix(nodePrefix), commonName.count > nodePrefix.count,
              nodeClientUsages(usages) else { return .leaveForAdmin }
        if username == commonName && groups.contains(nodeGroup) { return .approveRenewal }
        guard groups.contains("system:bootstrappers") else { return .leaveForAdmin }
        let node = String(commonName.dropFirst(nodePrefix.count))
        return nodeExists(node) ? .denyNodeExists(node: node) : .approveJoin
    }

    /// As upstream: digital signature and client auth, key encipherment optional, nothing else.
    static func nodeClientUsages(_ usages: [String]) -> Bool {
        let set = Set(usages)
        return set.contains("client auth") && set.contains("digital signature") && set.isSubset(of: ["client auth", "digital signature", "key encipherment"])
    }
}
