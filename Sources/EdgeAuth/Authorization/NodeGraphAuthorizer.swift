import EdgeAPI
import EdgeRegistry

/// Upstream's Node authorizer: answers for nodes only (no opinion on anyone
/// else, so the next authorizer decides). NodeRules says what a node may ask
/// for; where the answer depends on the node's pods (a Secret or ConfigMap a
/// pod bound to it refers to, a token for the service account such a pod runs
/// as) this reads the graph from the store, so a compromised board reads its
/// own pods' secrets, not the cluster's.
public struct NodeGraphAuthorizer: Authorizer {
    let store: ObjectStore

    public init(store: ObjectStore) { self.store = store }

    static let pods = BuiltinResources.pods

    public func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision {
        guard let node = NodeIdentity.nodeName(of: user) else { return .noOpinion() }
        guard !node.isEmpty else { return .noOpinion("unknown node for user \"\(user.name)\"") }
        // Discovery and other non-resource paths follow the static rules of the next authorizer.
        guard let info else { return .noOpinion() }
        switch NodeRules.decide(node: node, info) {
        case .allow:
            return .allow
        case .refuse(let reason):
            return .noOpinion(reason)
        case .related(let relation):
            guard let namespace = info.namespace, let name = info.name,
                  await related(relation, name, namespace: namespace, toPodsOn: node) else {
                return .noOpinion("no relationship found between node '\(node)' and this object")
            }
            return .allow
        }
    }

    /// Reads the namespace's pods: a node asks for a handful of objects per pod start, and a namespace on a
    /// small cluster holds tens of pods, so an index kept up to date from watches would cost more than it saves.
    func related(_ relation: NodeRules.Relation, _ name: String, namespace: String, toPodsOn node: String) async -> Bool {
        guard let page = try? await store.listAll(Self.pods, namespace: namespace) else { return false }
        return page.items.contains { pod in
            guard pod[path: ["spec", "nodeName"]]?.string == node else { return false }
            switch relation {
            case .secret: return PodReferences.secrets(of: pod).contains(name)
            case .configMap: return PodReferences.configMaps(of: pod).contains(name)
            case .serviceAccount: return pod[path: ["spec", "serviceAccountName"]]?.string == name
            }
        }
    }
}
