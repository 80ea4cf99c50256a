import EdgeAPI
import EdgeClient

/// LoadBalancer Services the way k3s's servicelb answers them: every Ready
/// node's address becomes an ingress IP (ExternalIP if the node has one, else
/// InternalIP), and each node's proxy accepts the service port on its own
/// addresses. Services with a loadBalancerClass belong to another
/// implementation and are left alone, as upstream's controllers do.
public struct ServiceLoadBalancerController: Controller {
    public let name = "servicelb"
    static let services = BuiltinResources.services
    static let nodes = BuiltinResources.nodes
    /// Key queued when nodes change: every LoadBalancer service is looked at again.
    static let allKey = "\u{0}all"

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.services).addHandler(.any { svc in
            if svc[path: ["spec", "type"]]?.string == "LoadBalancer" { queue.add(Informer.key(svc)) }
        })
        ctx.informers.informer(Self.nodes).addHandler(Informer.Handler(
            added: { _ in queue.add(Self.allKey) },
            updated: { old, new in if Self.ingressIP(old) != Self.ingressIP(new) { queue.add(Self.allKey) } },
            deleted: { _ in queue.add(Self.allKey) }))
    }

    /// The address a node offers for load-balancer traffic, nil while it is not Ready.
    static func ingressIP(_ node: JSON) -> String? {
        let ready = (node[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
        guard ready, node[path: ["spec", "unschedulable"]]?.bool != true else { return nil }
        let addresses = node[path: ["status", "addresses"]]?.array ?? []
        for type in ["ExternalIP", "InternalIP"] {
            if let a = addresses.first(where: { $0["type"]?.string == type })?["address"]?.string, !a.isEmpty, !a.contains(":") { return a }
        }
        return nil
    }

    /// The ingress list for the nodes: sorted, one entry per address.
    static func ingress(_ nodes: [JSON]) -> JSON {
        let ips = Set(nodes.compactMap(ingressIP)).sorted { a, b in
            let pa = a.split(separator: ".").compactMap { Int($0) }, pb = b.split(separator: ".").compactMap { Int($0) }
            return pa.lexicographicallyPrecedes(pb)
        }
        return .array(ips.map { ["ip": .string($0), "ipMode": "VIP"] })
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let inf = ctx.informers.informer(Self.services)
        let keys = key == Self.allKey
            ? inf.list(where: { $0[path: ["spec", "type"]]?.string == "LoadBalancer" }).map(Informer.key)
            : [key]
        let want = Self.ingress(ctx.informers.informer(Self.nodes).list())
        for k in keys {
            guard var svc = inf.get(k), svc[path: ["spec", "type"]]?.string == "LoadBalancer",
                  svc[path: ["spec", "loadBalancerClass"]]?.string == nil else { continue }
            let current = svc[path: ["status", "loadBalancer", "ingress"]] ?? .array([])
            guard current != want else { continue }
            svc[path: ["status", "loadBalancer"]] = want == .array([]) ? [:] : ["ingress": want]
            _ = try await ctx.client.updateStatus(Self.services, svc) // a stale cache fails on resourceVersion and is retried
        }
    }
}
