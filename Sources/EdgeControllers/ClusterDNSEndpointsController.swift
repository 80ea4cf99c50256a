import EdgeAPI
import EdgeClient

/// The endpoints of kube-system/kube-dns: every node's own DNS listener (the
/// agent serves the cluster zone on its address, port 10053). The Service has
/// no selector and internalTrafficPolicy Local, so any proxy (ours or
/// kube-proxy) sends a pod's queries to the DNS of the pod's own node, and
/// `kubectl get endpointslices -n kube-system` shows where DNS is served.
public struct ClusterDNSEndpointsController: Controller {
    public let name = "cluster-dns-endpoints"
    static let slices = BuiltinResources.endpointSlices
    static let nodes = BuiltinResources.nodes
    public static let namespace = "kube-system"
    public static let serviceName = "kube-dns"
    public static let sliceName = "kube-dns-nodes"
    /// A label value: no slash (label values are [A-Za-z0-9._-]).
    public static let managedBy = "cluster-dns.edgectl.io"
    let port: Int

    public init(port: Int = 10053) { self.port = port }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.nodes).addHandler(.any { _ in queue.add(Self.sliceName) })
        ctx.informers.informer(Self.slices).addHandler(.any { s in
            if s[path: ["metadata", "name"]]?.string == Self.sliceName, s[path: ["metadata", "namespace"]]?.string == Self.namespace {
                queue.add(Self.sliceName)
            }
        })
        queue.add(Self.sliceName)
    }

    /// One endpoint per node with an IPv4 InternalIP, sorted by node name; always ready (each is used by its own node only).
    static func endpoints(_ nodes: [JSON]) -> [JSON] {
        var out: [(String, JSON)] = []
        for n in nodes {
            guard let name = n[path: ["metadata", "name"]]?.string,
                  let ip = (n[path: ["status", "addresses"]]?.array ?? []).first(where: { $0["type"]?.string == "InternalIP" && !($0["address"]?.string ?? ":").contains(":") })?["address"]?.string
            else { continue }
            out.append((name, ["addresses": [.string(ip)], "conditions": ["ready": true, "serving": true, "terminating": false],
                               "nodeName": .string(name)]))
        }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }

    func ports() -> JSON {
        [["name": "dns", "port": .int(Int64(port)), "protocol": "UDP"], ["name": "dns-tcp", "port": .int(Int64(port)), "protocol": "TCP"]]
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let endpoints = JSON.array(Self.endpoints(ctx.informers.informer(Self.nodes).list()))
        let labels: JSON = ["kubernetes.io/service-name": .string(Self.serviceName), "endpointslice.kubernetes.io/managed-by": .string(Self.managedBy)]
        if var slice = ctx.informers.informer(Self.slices).get(Self.namespace + "/" + Self.sliceName) {
            guard slice["endpoints"] != endpoints || slice["ports"] != ports() || slice[path: ["metadata", "labels"]] != labels else { return }
            slice["endpoints"] = endpoints
            slice["ports"] = ports()
            slice[path: ["metadata", "labels"]] = labels
            _ = try await ctx.client.update(Self.slices, slice)
        } else {
            do {
                _ = try await ctx.client.create(Self.slices, namespace: Self.namespace, [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": ["name": .string(Self.sliceName), "labels": labels],
                    "addressType": "IPv4", "endpoints": endpoints, "ports": ports()])
            } catch let e as APIError where e.code == 409 {} // the cache had not seen it yet; its add event requeues us
        }
    }
}
