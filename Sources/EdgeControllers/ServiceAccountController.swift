import EdgeAPI
import EdgeClient

/// Keeps a `default` ServiceAccount in every active namespace, recreating it
/// if someone deletes it, as pods default to running under it.
public struct ServiceAccountController: Controller {
    public let name = "serviceaccount"
    static let namespaces = BuiltinResources.namespaces
    static let serviceAccounts = BuiltinResources.serviceAccounts
    static let accountNames = ["default"]

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.namespaces).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.serviceAccounts).addHandler(Informer.Handler(
            added: { _ in }, updated: { _, _ in },
            deleted: { sa in if let ns = sa[path: ["metadata", "namespace"]]?.string { queue.add(ns) } }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let ns = ctx.informers.informer(Self.namespaces).get(key),
              ns[path: ["status", "phase"]]?.string != "Terminating", !PodHelpers.isBeingDeleted(ns) else { return }
        let accounts = ctx.informers.informer(Self.serviceAccounts)
        for name in Self.accountNames where accounts.get(key + "/" + name) == nil {
            do {
                _ = try await ctx.client.create(Self.serviceAccounts, namespace: key,
                                                ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)]])
            } catch let e as APIError where e.code == 409 || e.code == 403 || e.code == 404 {
                // Already there (cache behind), or the namespace is going away.
            }
        }
    }
}
