import EdgeAPI
import EdgeClient

/// Upstream's root-ca-cert-publisher: a ConfigMap `kube-root-ca.crt` with the
/// cluster CA (`ca.crt`) in every active namespace, put back when deleted or
/// changed, so a pod's projected kube-api-access volume can verify the API server.
public struct RootCACertPublisher: Controller {
    public let name = "root-ca-cert-publisher"
    public static let configMapName = "kube-root-ca.crt"
    static let description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
    static let namespaces = BuiltinResources.namespaces
    static let configMaps = BuiltinResources.configMaps
    let caPEM: String

    /// The only ConfigMaps the publisher reads: the cache keeps these whole and
    /// no others (upstream's publisher reads nothing else either), so a burst of
    /// application ConfigMaps does not stay in the server's memory.
    static let itsOwn = InformerFilter(name: "root-ca-cert-publisher") { $0[path: ["metadata", "name"]]?.string == configMapName }

    public init(caPEM: String) { self.caPEM = caPEM }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.namespaces).addHandler(.any { queue.add(Informer.key($0)) })
        let mine: @Sendable (JSON) -> Void = { cm in
            if cm[path: ["metadata", "name"]]?.string == Self.configMapName, let ns = cm[path: ["metadata", "namespace"]]?.string { queue.add(ns) }
        }
        ctx.informers.informer(Self.configMaps, keeping: Self.itsOwn).addHandler(Informer.Handler(added: { _ in }, updated: { _, new in mine(new) }, deleted: mine))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let ns = ctx.informers.informer(Self.namespaces).get(key),
              ns[path: ["status", "phase"]]?.string != "Terminating", !PodHelpers.isBeingDeleted(ns) else { return }
        let data: JSON = ["ca.crt": .string(caPEM)]
        if let cm = ctx.informers.informer(Self.configMaps, keeping: Self.itsOwn).get(key + "/" + Self.configMapName) {
            guard cm["data"] != data else { return }
            var updated = cm
            updated["data"] = data
            _ = try await ctx.client.update(Self.configMaps, updated)
            return
        }
        do {
            _ = try await ctx.client.create(Self.configMaps, namespace: key,
                                            ["apiVersion": "v1", "kind": "ConfigMap",
                                             "metadata": ["name": .string(Self.configMapName), "annotations": ["kubernetes.io/description": .string(Self.description)]],
                                             "data": data])
        } catch let e as APIError where e.code == 409 || e.code == 403 || e.code == 404 {
            // Already there (cache behind), or the namespace is going away.
        }
    }
}
