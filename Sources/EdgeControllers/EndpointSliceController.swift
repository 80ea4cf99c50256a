import EdgeAPI
import EdgeClient

/// discovery.k8s.io/v1 EndpointSlices for Services with selectors: one
/// IPv4 slice per service (owned by it, labelled with its name), endpoints
/// with ready/serving/terminating conditions and the service's ports.
public struct EndpointSliceController: Controller {
    public let name = "endpointslice"
    static let slices = ControllerContext.resource("endpointslices", group: "discovery.k8s.io")
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedBy = "endpointslice-controller.k8s.io"

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(ServiceSelection.services).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(ServiceSelection.pods).addHandler(ServiceSelection.handler(ctx, queue))
        ctx.informers.informer(Self.slices).addHandler(.any { s in
            if let svc = s[path: ["metadata", "labels", Self.serviceNameLabel]]?.string {
                queue.add((s[path: ["metadata", "namespace"]]?.string ?? "") + "/" + svc)
            }
        })
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let (nsOpt, name) = Informer.split(key)
        let ns = nsOpt ?? ""
        var owned = ctx.informers.informer(Self.slices).list(where: {
            $0[path: ["metadata", "namespace"]]?.string == ns && $0[path: ["metadata", "labels", Self.serviceNameLabel]]?.string == name
                && $0[path: ["metadata", "labels", Self.managedByLabel]]?.string == Self.managedBy
        }).sorted { Informer.key($0) < Informer.key($1) }
        guard let svc = ctx.informers.informer(ServiceSelection.services).get(key), ServiceSelection.selector(svc) != nil else {
            // Owner references let the garbage collector remove them too; do it now rather than later.
            for s in owned { try await delete(s, ns: ns, ctx) }
            return
        }
        let pods = ServiceSelection.backends(svc, ctx)
        let endpoints: [JSON] = pods.map { pod in
            let ready = ServiceSelection.ready(pod)
            let terminating = pod[path: ["metadata", "deletionTimestamp"]] != nil
            var e: JSON = ["addresses": [pod[path: ["status", "podIP"]] ?? ""],
                           "conditions": ["ready": .bool(ready), "serving": .bool(PodHelpers.isReady(pod)), "terminating": .bool(terminating)],
                           "targetRef": ServiceSelection.targetRef(pod)]
            if let node = pod[path: ["spec", "nodeName"]]?.string { e["nodeName"] = .string(node) }
            return e
        }
        // Slice ports carry the numeric target when every pod agrees, as upstream groups by resolved port.
        let ports: [JSON] = (svc[path: ["spec", "ports"]]?.array ?? []).map { p in
            var out: JSON = ["protocol": p["protocol"] ?? "TCP", "name": p["name"] ?? ""]
            let targets = Set(pods.compactMap { ServiceSelection.targetPort(p, in: $0) })
            if targets.count == 1 { out["port"] = .int(targets.first!) } else if let n = p["targetPort"]?.int ?? p["port"]?.int, targets.isEmpty { out["port"] = .int(n) }
            return out
        }
        var labels = svc[path: ["metadata", "labels"]]?.object ?? JSONObject()
        labels[Self.serviceNameLabel] = .string(name)
        labels[Self.managedByLabel] = .string(Self.managedBy)
        var owner = PodHelpers.ownerReference(to: svc)
        owner["apiVersion"] = "v1"  // cached list items may lack their type fields
        owner["kind"] = "Service"
        if var slice = owned.first {
            owned.removeFirst()
            for extra in owned { try await delete(extra, ns: ns, ctx) }
            guard slice["endpoints"] != .array(endpoints) || slice["ports"] != .array(ports) || slice[path: ["metadata", "labels"]] != .object(labels) else { return }
            slice["endpoints"] = .array(endpoints)
            slice["ports"] = .array(ports)
            slice[path: ["metadata", "labels"]] = .object(labels)
            _ = try await ctx.client.update(Self.slices, slice)
        } else {
            _ = try await ctx.client.create(Self.slices, namespace: ns, [
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": ["generateName": .string(name + "-"), "labels": .object(labels), "ownerReferences": [owner]],
                "addressType": "IPv4", "endpoints": .array(endpoints), "ports": .array(ports)])
        }
    }

    func delete(_ slice: JSON, ns: String, _ ctx: ControllerContext) async throws {
        do { _ = try await ctx.client.delete(Self.slices, namespace: ns, name: slice[path: ["metadata", "name"]]?.string ?? "") }
        catch let e as APIError where e.code == 404 {}
    }
}
