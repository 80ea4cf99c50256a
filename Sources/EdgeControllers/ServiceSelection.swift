import EdgeAPI
import EdgeClient

/// Services and the pods they select, shared by the Endpoints and
/// EndpointSlice controllers: which services a pod change touches, and how a
/// service port resolves against a pod (a named targetPort is looked up in the
/// pod's containers; a pod without that name is left out for that port).
enum ServiceSelection {
    static let services = ControllerContext.resource("services")
    static let pods = ControllerContext.resource("pods")

    /// Queues the services in the pod's namespace whose selector matches the pod (old or new labels).
    static func handler(_ ctx: ControllerContext, _ queue: WorkQueue) -> Informer.Handler {
        let services = ctx.informers.informer(Self.services)
        @Sendable func enqueue(_ pods: [JSON]) {
            for pod in pods {
                let ns = pod[path: ["metadata", "namespace"]]?.string
                let labels = pod[path: ["metadata", "labels"]]?.object ?? JSONObject()
                for svc in services.list(where: { $0[path: ["metadata", "namespace"]]?.string == ns }) where selects(svc, labels) {
                    queue.add(Informer.key(svc))
                }
            }
        }
        return Informer.Handler(added: { enqueue([$0]) }, updated: { old, new in enqueue([old, new]) }, deleted: { enqueue([$0]) })
    }

    static func selector(_ svc: JSON) -> JSONObject? {
        guard let sel = svc[path: ["spec", "selector"]]?.object, !sel.isEmpty else { return nil }
        return sel
    }

    static func selects(_ svc: JSON, _ labels: JSONObject) -> Bool {
        guard let sel = selector(svc) else { return false }
        return sel.allSatisfy { k, v in labels[k]?.string == v.string }
    }

    /// Pods that back the service: selected, not finished, with an IP.
    static func backends(_ svc: JSON, _ ctx: ControllerContext) -> [JSON] {
        let ns = svc[path: ["metadata", "namespace"]]?.string
        return ctx.informers.informer(Self.pods).list(where: { p in
            p[path: ["metadata", "namespace"]]?.string == ns && selects(svc, p[path: ["metadata", "labels"]]?.object ?? JSONObject())
                && !(p[path: ["status", "podIP"]]?.string ?? "").isEmpty
                && !["Succeeded", "Failed"].contains(p[path: ["status", "phase"]]?.string ?? "")
        }).sorted { (Informer.key($0)) < (Informer.key($1)) }
    }

    static func ready(_ pod: JSON) -> Bool {
        pod[path: ["metadata", "deletionTimestamp"]] == nil && PodHelpers.isReady(pod)
    }

    /// The container port a service port reaches on this pod, or nil if the pod does not have it.
    static func targetPort(_ port: JSON, in pod: JSON) -> Int64? {
        let target = port["targetPort"] ?? port["port"] ?? .null
        if let n = target.int { return n }
        if let s = target.string, let n = Int64(s) { return n }
        guard let name = target.string else { return port["port"]?.int }
        let proto = port["protocol"]?.string ?? "TCP"
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            for p in c["ports"]?.array ?? [] where p["name"]?.string == name && (p["protocol"]?.string ?? "TCP") == proto {
                return p["containerPort"]?.int
            }
        }
        return nil
    }

    static func targetRef(_ pod: JSON) -> JSON {
        ["kind": "Pod", "namespace": pod[path: ["metadata", "namespace"]] ?? "", "name": pod[path: ["metadata", "name"]] ?? "",
         "uid": pod[path: ["metadata", "uid"]] ?? ""]
    }
}
