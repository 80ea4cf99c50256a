import EdgeAPI
import EdgeClient

/// core/v1 Endpoints (named as the Service) for every Service with a selector:
/// ready pods under addresses, not-ready ones under notReadyAddresses (all
/// under addresses with publishNotReadyAddresses), one subset per set of
/// resolved ports. Terminating pods are left out unless not-ready addresses
/// are published. Selectorless services keep the Endpoints their users write.
public struct EndpointsController: Controller {
    public let name = "endpoints"
    static let endpoints = BuiltinResources.endpoints
    /// Tells an EndpointSlice mirror these Endpoints already have slices of their own.
    static let skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror"

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(ServiceSelection.services).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(ServiceSelection.pods).addHandler(ServiceSelection.handler(ctx, queue))
        // Endpoints deleted by someone else are put back; other edits wait for the next service or pod change, as upstream.
        ctx.informers.informer(Self.endpoints).addHandler(Informer.Handler(added: { _ in }, updated: { _, _ in },
                                                                             deleted: { queue.add(Informer.key($0)) }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let (ns, name) = Informer.split(key)
        let existing = ctx.informers.informer(Self.endpoints).get(key)
        guard let svc = ctx.informers.informer(ServiceSelection.services).get(key) else {
            if existing != nil {
                do { _ = try await ctx.client.delete(Self.endpoints, namespace: ns, name: name) } catch let e as APIError where e.code == 404 {}
            }
            return
        }
        guard ServiceSelection.selector(svc) != nil else { return }
        let publishAll = svc[path: ["spec", "publishNotReadyAddresses"]]?.bool == true
        let subsets = Self.subsets(svc, ServiceSelection.backends(svc, ctx, includeTerminating: publishAll))
        var labels = PodHelpers.labels(svc)
        labels[Self.skipMirrorLabel] = "true"
        if var current = existing {
            // Level-triggered and often woken for nothing: write only when the content differs.
            guard (current["subsets"] ?? []) != subsets || current[path: ["metadata", "labels"]] != .object(labels) else { return }
            current["subsets"] = subsets
            current[path: ["metadata", "labels"]] = .object(labels)
            _ = try await ctx.client.update(Self.endpoints, current)  // a stale cache fails on resourceVersion and is retried
        } else {
            do {
                _ = try await ctx.client.create(Self.endpoints, namespace: ns, [
                    "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(name), "labels": .object(labels)],
                    "subsets": subsets])
            } catch let e as APIError where e.code == 409 {
                throw RequeueAfter(.milliseconds(100))  // created already; the cache has not seen it yet
            }
        }
    }

    /// The subsets for these backends: a pure function, so equal inputs give equal output.
    static func subsets(_ svc: JSON, _ pods: [JSON]) -> JSON {
        let publishAll = svc[path: ["spec", "publishNotReadyAddresses"]]?.bool == true
        return .array(ServiceSelection.groupByPorts(svc, pods).map { group in
            var ready: [JSON] = [], notReady: [JSON] = []
            for pod in group.pods {
                var address: JSON = ["ip": pod[path: ["status", "podIP"]] ?? "", "targetRef": ServiceSelection.targetRef(pod)]
                if let node = pod[path: ["spec", "nodeName"]]?.string { address["nodeName"] = .string(node) }
                if publishAll || (PodHelpers.isReady(pod) && !PodHelpers.isBeingDeleted(pod)) {
                    ready.append(address)
                } else {
                    notReady.append(address)
                }
            }
            var s: JSON = [:]
            if !group.ports.isEmpty { s["ports"] = .array(group.ports) }  // headless without ports: addresses only
            if !ready.isEmpty { s["addresses"] = .array(ready) }
            if !notReady.isEmpty { s["notReadyAddresses"] = .array(notReady) }
            return s
        })
    }
}
