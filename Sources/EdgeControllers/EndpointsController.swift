import EdgeAPI
import EdgeClient

/// core/v1 Endpoints for every Service with a selector: ready pods under
/// addresses, the rest under notReadyAddresses (all under addresses with
/// publishNotReadyAddresses), grouped into subsets by the ports each pod
/// resolves. Selectorless services keep the Endpoints their users write.
public struct EndpointsController: Controller {
    public let name = "endpoints"
    static let endpoints = ControllerContext.resource("endpoints")

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(ServiceSelection.services).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(ServiceSelection.pods).addHandler(ServiceSelection.handler(ctx, queue))
        ctx.informers.informer(Self.endpoints).addHandler(Informer.Handler(added: { _ in }, updated: { _, _ in },
                                                                             deleted: { queue.add(Informer.key($0)) }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let (ns, name) = Informer.split(key)
        let existing = ctx.informers.informer(Self.endpoints).get(key)
        guard let svc = ctx.informers.informer(ServiceSelection.services).get(key) else {
            // The service is gone: its endpoints go too (only ones this controller would have managed).
            if existing != nil {
                do { _ = try await ctx.client.delete(Self.endpoints, namespace: ns, name: name) } catch let e as APIError where e.code == 404 {}
            }
            return
        }
        guard ServiceSelection.selector(svc) != nil else { return }
        let subsets = Self.subsets(svc, ServiceSelection.backends(svc, ctx))
        var labels = svc[path: ["metadata", "labels"]]?.object ?? JSONObject()
        labels["endpointslice.kubernetes.io/skip-mirror"] = "true"
        if var current = existing {
            guard (current["subsets"] ?? []) != subsets || current[path: ["metadata", "labels"]] != .object(labels) else { return }
            current["subsets"] = subsets
            current[path: ["metadata", "labels"]] = .object(labels)
            _ = try await ctx.client.update(Self.endpoints, current)
        } else {
            do {
                _ = try await ctx.client.create(Self.endpoints, namespace: ns,
                                                ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(name), "labels": .object(labels)],
                                                 "subsets": subsets])
            } catch let e as APIError where e.code == 409 {
                throw RequeueAfter(.milliseconds(100)) // the cache had not seen it yet
            }
        }
    }

    /// Pods grouped by the exact port set they resolve to, as upstream's subsets.
    static func subsets(_ svc: JSON, _ pods: [JSON]) -> JSON {
        let publishAll = svc[path: ["spec", "publishNotReadyAddresses"]]?.bool == true
        let ports = svc[path: ["spec", "ports"]]?.array ?? []
        var groups: [(ports: [JSON], ready: [JSON], notReady: [JSON])] = []
        for pod in pods {
            var resolved: [JSON] = []
            for p in ports {
                guard let target = ServiceSelection.targetPort(p, in: pod) else { continue }
                var e: JSON = ["port": .int(target), "protocol": p["protocol"] ?? "TCP"]
                if let n = p["name"]?.string, !n.isEmpty { e["name"] = .string(n) }
                resolved.append(e)
            }
            if resolved.isEmpty && !ports.isEmpty { continue }
            var address: JSON = ["ip": pod[path: ["status", "podIP"]] ?? "", "targetRef": ServiceSelection.targetRef(pod)]
            if let node = pod[path: ["spec", "nodeName"]]?.string { address["nodeName"] = .string(node) }
            let isReady = publishAll || ServiceSelection.ready(pod)
            if let i = groups.firstIndex(where: { $0.ports == resolved }) {
                if isReady { groups[i].ready.append(address) } else { groups[i].notReady.append(address) }
            } else {
                groups.append((resolved, isReady ? [address] : [], isReady ? [] : [address]))
            }
        }
        return .array(groups.map { g in
            var s: JSON = ["ports": .array(g.ports)]
            if !g.ready.isEmpty { s["addresses"] = .array(g.ready) }
            if !g.notReady.isEmpty { s["notReadyAddresses"] = .array(g.notReady) }
            return s
        })
    }
}
