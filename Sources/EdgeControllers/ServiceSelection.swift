import EdgeAPI
import EdgeClient

/// Services and the pods they select, shared by the Endpoints and
/// EndpointSlice controllers: which services a pod change touches, which pods
/// back a service, and how a service port resolves against a pod (a named
/// targetPort is looked up in the pod's containers; a pod without that name is
/// left out for that port, as upstream).
enum ServiceSelection {
    static let services = BuiltinResources.services
    static let pods = BuiltinResources.pods

    /// Queues the services in the pod's namespace whose selector matches the
    /// pod: old and new labels both, so a pod leaving a selector is removed too.
    static func handler(_ ctx: ControllerContext, _ queue: WorkQueue) -> Informer.Handler {
        let services = ctx.informers.informer(Self.services)
        @Sendable func enqueue(_ pods: [JSON]) {
            for pod in pods {
                let ns = pod[path: ["metadata", "namespace"]]?.string
                let labels = PodHelpers.labels(pod)
                for svc in services.byIndex(.namespace, ns ?? "") where selects(svc, labels) {
                    queue.add(Informer.key(svc))
                }
            }
        }
        return Informer.Handler(added: { enqueue([$0]) }, updated: { old, new in enqueue([old, new]) }, deleted: { enqueue([$0]) })
    }

    /// A service's selector; nil (also for an empty one, which the API drops) means its endpoints are the user's.
    static func selector(_ svc: JSON) -> JSONObject? {
        guard let sel = svc[path: ["spec", "selector"]]?.object, !sel.isEmpty else { return nil }
        return sel
    }

    static func selects(_ svc: JSON, _ labels: JSONObject) -> Bool {
        guard let sel = selector(svc) else { return false }
        return sel.allSatisfy { k, v in labels[k]?.string == v.string }
    }

    /// Pods that back the service: selected, bound, with an IP, not finished;
    /// terminating ones only when asked (slices report them, Endpoints do not).
    static func backends(_ svc: JSON, _ ctx: ControllerContext, includeTerminating: Bool) -> [JSON] {
        let ns = svc[path: ["metadata", "namespace"]]?.string
        return ctx.informers.informer(Self.pods).byIndex(.namespace, ns ?? "").filter { p in
            selects(svc, PodHelpers.labels(p))
                && !(p[path: ["status", "podIP"]]?.string ?? "").isEmpty
                && !(p[path: ["spec", "nodeName"]]?.string ?? "").isEmpty
                && !PodHelpers.isTerminal(p)
                && (includeTerminating || !PodHelpers.isBeingDeleted(p))
        }.sorted { Informer.key($0) < Informer.key($1) }  // stable order, so unchanged content compares equal
    }

    /// Backends grouped by the ports they resolve to, in first-seen order: pods
    /// agreeing on every port share a group (an Endpoints subset, a slice).
    /// Ports are in core/v1 EndpointPort shape (name omitted when empty).
    /// A pod resolving none of a service's several ports serves nothing and is left out.
    static func groupByPorts(_ svc: JSON, _ pods: [JSON]) -> [(ports: [JSON], pods: [JSON])] {
        let servicePorts = svc[path: ["spec", "ports"]]?.array ?? []
        var groups: [(ports: [JSON], pods: [JSON])] = []
        for pod in pods {
            let ports: [JSON] = servicePorts.compactMap { p in
                guard let target = targetPort(p, in: pod) else { return nil }
                var e: JSON = ["port": .int(target), "protocol": p["protocol"] ?? "TCP"]
                if let n = p["name"]?.string, !n.isEmpty { e["name"] = .string(n) }
                if let a = p["appProtocol"] { e["appProtocol"] = a }
                return e
            }
            if ports.isEmpty && !servicePorts.isEmpty { continue }
            if let i = groups.firstIndex(where: { $0.ports == ports }) {
                groups[i].pods.append(pod)
            } else {
                groups.append((ports, [pod]))
            }
        }
        return groups
    }

    /// The container port a service port reaches on this pod, or nil if the pod does not have it.
    static func targetPort(_ port: JSON, in pod: JSON) -> Int64? {
        let target = port["targetPort"] ?? port["port"] ?? .null
        if let n = target.int { return n }
        guard let name = target.string else { return port["port"]?.int }
        if let n = Int64(name) { return n }
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
