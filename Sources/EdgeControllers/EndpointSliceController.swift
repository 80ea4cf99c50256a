import EdgeAPI
import EdgeClient

/// discovery.k8s.io/v1 EndpointSlices for Services with selectors: IPv4
/// slices named `<service>-<suffix>`, owned by the service and labelled with
/// its name, listing pods with ready/serving/terminating conditions. Pods that
/// resolve the service's ports differently (a named port missing or numbered
/// differently) go to separate slices as upstream; usually there is one.
public struct EndpointSliceController: Controller {
    public let name = "endpointslice"
    static let slices = BuiltinResources.endpointSlices
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedBy = "endpointslice-controller.k8s.io"
    /// Slices created but not yet in the cache, per service: generateName cannot
    /// conflict, so without this a reconcile racing the watch would create twice.
    let expectations = Expectations()

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(ServiceSelection.services).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(ServiceSelection.pods).addHandler(ServiceSelection.handler(ctx, queue))
        let exp = expectations
        // Slice changes (ours arriving, or someone editing or deleting one) bring the service back to its wanted state.
        ctx.informers.informer(Self.slices).addHandler(Informer.Handler(
            added: { s in if let k = Self.serviceKey(s) { exp.observedAdd(k); queue.add(k) } },
            updated: { _, s in if let k = Self.serviceKey(s) { queue.add(k) } },
            deleted: { s in if let k = Self.serviceKey(s) { queue.add(k) } }))
    }

    /// Managed slices by their service's key.
    static let byService = InformerIndex(name: "managedSliceService") { serviceKey($0).map { [$0] } ?? [] }

    /// The service a slice belongs to, for slices this controller manages (users may label their own).
    static func serviceKey(_ slice: JSON) -> String? {
        guard slice[path: ["metadata", "labels", managedByLabel]]?.string == managedBy,
              let svc = slice[path: ["metadata", "labels", serviceNameLabel]]?.string else { return nil }
        return (slice[path: ["metadata", "namespace"]]?.string ?? "") + "/" + svc
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard expectations.satisfied(key) else { return }  // the pending slice's add event queues us again
        let (nsOpt, _) = Informer.split(key)
        let ns = nsOpt ?? ""
        var unused = ctx.informers.informer(Self.slices).byIndex(Self.byService, key)
            .sorted { Informer.key($0) < Informer.key($1) }
        guard let svc = ctx.informers.informer(ServiceSelection.services).get(key), ServiceSelection.selector(svc) != nil,
              svc[path: ["spec", "type"]]?.string != "ExternalName" else {
            // Owner references would let the garbage collector do this too, but not for a selector removed from a live service.
            for s in unused { try await delete(s, ns: ns, ctx) }
            expectations.forget(key)
            return
        }
        var desired = Self.desiredSlices(svc, ServiceSelection.backends(svc, ctx, includeTerminating: true))
        // Upstream keeps one empty placeholder slice, so a service without pods still shows it has been seen.
        if desired.isEmpty { desired = [(ports: [], endpoints: [])] }

        // Pair wanted slices with existing ones, same ports first, so content changes update slices in place.
        var pairs: [(slice: JSON?, ports: [JSON], endpoints: [JSON])] = []
        for d in desired {
            if let i = unused.firstIndex(where: { ($0["ports"] ?? []) == .array(d.ports) && $0["addressType"]?.string == "IPv4" }) {
                pairs.append((unused.remove(at: i), d.ports, d.endpoints))
            } else {
                pairs.append((nil, d.ports, d.endpoints))
            }
        }
        for i in pairs.indices where pairs[i].slice == nil {
            if let j = unused.firstIndex(where: { $0["addressType"]?.string == "IPv4" }) { pairs[i].slice = unused.remove(at: j) }
        }

        let meta = Self.metadata(svc)
        let creates = pairs.filter { $0.slice == nil }.count
        if creates > 0 { expectations.expect(key, adds: creates) }
        var created = 0
        defer { if created < creates { expectations.lowerAdds(key, by: creates - created) } }
        for p in pairs {
            if var slice = p.slice {
                guard slice["endpoints"] != .array(p.endpoints) || slice["ports"] != .array(p.ports)
                        || slice[path: ["metadata", "labels"]] != meta.labels
                        || slice[path: ["metadata", "ownerReferences"]] != meta.owners else { continue }
                slice["endpoints"] = .array(p.endpoints)
                slice["ports"] = .array(p.ports)
                slice[path: ["metadata", "labels"]] = meta.labels
                slice[path: ["metadata", "ownerReferences"]] = meta.owners
                _ = try await ctx.client.update(Self.slices, slice)  // a stale cache fails on resourceVersion and is retried
            } else {
                _ = try await ctx.client.create(Self.slices, namespace: ns, [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": ["generateName": .string((svc[path: ["metadata", "name"]]?.string ?? "") + "-"),
                                 "labels": meta.labels, "ownerReferences": meta.owners],
                    "addressType": "IPv4", "endpoints": .array(p.endpoints), "ports": .array(p.ports)])
                created += 1
            }
        }
        // Extras go last, so their endpoints are already in the other slices when they disappear.
        for s in unused { try await delete(s, ns: ns, ctx) }
    }

    /// Endpoints per slice, grouped by resolved ports: a pure function of the service and its pods.
    static func desiredSlices(_ svc: JSON, _ pods: [JSON]) -> [(ports: [JSON], endpoints: [JSON])] {
        let publishAll = svc[path: ["spec", "publishNotReadyAddresses"]]?.bool == true
        return ServiceSelection.groupByPorts(svc, pods).map { group in
            // Slice port names are always present, empty for an unnamed port.
            let ports = group.ports.map { p -> JSON in var q = p; q["name"] = p["name"] ?? ""; return q }
            let endpoints: [JSON] = group.pods.map { pod in
                let serving = PodHelpers.isReady(pod)
                let terminating = PodHelpers.isBeingDeleted(pod)
                // Ready means serving and not going away, unless the service asks for every pod to be published.
                let ready = publishAll || (serving && !terminating)
                var e: JSON = ["addresses": [pod[path: ["status", "podIP"]] ?? ""],
                               "conditions": ["ready": .bool(ready), "serving": .bool(serving), "terminating": .bool(terminating)],
                               "targetRef": ServiceSelection.targetRef(pod)]
                if let node = pod[path: ["spec", "nodeName"]]?.string { e["nodeName"] = .string(node) }
                // A pod whose subdomain is this service is reachable as hostname.service (StatefulSet pods), as upstream.
                if let host = pod[path: ["spec", "hostname"]]?.string, !host.isEmpty,
                   pod[path: ["spec", "subdomain"]]?.string == svc[path: ["metadata", "name"]]?.string {
                    e["hostname"] = .string(host)
                }
                return e
            }
            return (ports, endpoints)
        }
    }

    /// Labels (the service's own plus the two that identify ours) and the controlling owner reference.
    static func metadata(_ svc: JSON) -> (labels: JSON, owners: JSON) {
        var labels = PodHelpers.labels(svc)
        labels[serviceNameLabel] = svc[path: ["metadata", "name"]] ?? ""
        labels[managedByLabel] = .string(managedBy)
        var owner = PodHelpers.ownerReference(to: svc, blockOwnerDeletion: true)
        owner["apiVersion"] = "v1"  // cached list items may lack their type fields
        owner["kind"] = "Service"
        return (.object(labels), [owner])
    }

    func delete(_ slice: JSON, ns: String, _ ctx: ControllerContext) async throws {
        do { _ = try await ctx.client.delete(Self.slices, namespace: ns, name: slice[path: ["metadata", "name"]]?.string ?? "") }
        catch let e as APIError where e.code == 404 {}
    }
}
