import EdgeAPI
import EdgeRegistry

/// Upstream's Node authorizer graph, as far as edgectl needs it: a node may GET
/// a Secret or ConfigMap only when a pod bound to it refers to it (so a
/// compromised board reads its own pods' secrets, not the cluster's). Every
/// other decision is the wrapped authorizer's. It needs the store, so
/// APIService puts it around whichever authorizer it is given.
struct NodeGraphAuthorizer: Authorizer {
    let store: ObjectStore
    let next: any Authorizer
    static let pods = BuiltinResources.pods

    func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> Bool {
        guard await next.authorize(user, info, path: path) else { return false }
        guard let info, info.group == "", info.subresource == nil, NodeRules.fetchable.contains(info.resource),
              user.groups.contains("system:nodes"), !user.groups.contains(UserInfo.masterGroup),
              user.name.hasPrefix("system:node:") else { return true }
        guard let namespace = info.namespace, let name = info.name else { return false }
        let node = String(user.name.dropFirst("system:node:".count))
        return await referenced(info.resource, name, namespace: namespace, byPodsOn: node)
    }

    /// Reads the namespace's pods: a node asks for a handful of objects per pod start, and a namespace on a
    /// small cluster holds tens of pods, so an index kept up to date from watches would cost more than it saves.
    func referenced(_ resource: String, _ name: String, namespace: String, byPodsOn node: String) async -> Bool {
        guard let page = try? await store.listAll(Self.pods, namespace: namespace) else { return false }
        return page.items.contains { pod in
            guard pod[path: ["spec", "nodeName"]]?.string == node else { return false }
            let names = resource == "secrets" ? PodReferences.secrets(of: pod) : PodReferences.configMaps(of: pod)
            return names.contains(name)
        }
    }
}
