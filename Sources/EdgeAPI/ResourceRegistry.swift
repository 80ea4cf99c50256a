/// Every resource edgectl serves. Adding a resource here makes it routable,
/// discoverable and stored; its kind-specific behaviour lives in the validators,
/// defaulters and table printers.
public enum ResourceRegistry {
    public static let all: [ResourceInfo] = [
        // core/v1
        ResourceInfo(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false,
                     shortNames: ["ns"], subresources: ["status", "finalize"], selectableFields: ["status.phase"]),
        ResourceInfo(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true,
                     shortNames: ["po"], categories: ["all"], subresources: ["status", "binding", "log", "exec", "eviction"],
                     selectableFields: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                                        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
                     tracksGeneration: true),
        ResourceInfo(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true,
                     shortNames: ["svc"], categories: ["all"], subresources: ["status"],
                     selectableFields: ["spec.clusterIP", "spec.type"]),
        ResourceInfo(group: "", version: "v1", kind: "Endpoints", plural: "endpoints", namespaced: true, shortNames: ["ep"]),
        ResourceInfo(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"]),
        ResourceInfo(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, selectableFields: ["type"]),
        ResourceInfo(group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true,
                     shortNames: ["sa"], subresources: ["token"]),
        ResourceInfo(group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false,
                     shortNames: ["no"], subresources: ["status", "proxy"], selectableFields: ["spec.unschedulable"]),
        ResourceInfo(group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"],
                     selectableFields: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                                        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                                        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]),
        // apps/v1
        ResourceInfo(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
                     shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"], tracksGeneration: true),
        ResourceInfo(group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true,
                     shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"],
                     selectableFields: ["status.replicas"], tracksGeneration: true),
        ResourceInfo(group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true,
                     shortNames: ["ds"], categories: ["all"], subresources: ["status"], tracksGeneration: true),
        ResourceInfo(group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true,
                     shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"], tracksGeneration: true),
        // batch/v1
        ResourceInfo(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true,
                     categories: ["all"], subresources: ["status"], selectableFields: ["status.successful"], tracksGeneration: true),
        ResourceInfo(group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true,
                     shortNames: ["cj"], categories: ["all"], subresources: ["status"], tracksGeneration: true),
        // coordination.k8s.io/v1
        ResourceInfo(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true),
        // discovery.k8s.io/v1
        ResourceInfo(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices", namespaced: true),
        // certificates.k8s.io/v1
        ResourceInfo(group: "certificates.k8s.io", version: "v1", kind: "CertificateSigningRequest",
                     plural: "certificatesigningrequests", namespaced: false, shortNames: ["csr"],
                     subresources: ["status", "approval"], selectableFields: ["spec.signerName"]),
        // autoscaling/v2
        ResourceInfo(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers",
                     namespaced: true, shortNames: ["hpa"], categories: ["all"], subresources: ["status"], tracksGeneration: true),
    ]

    /// Group versions in discovery order: core first, then groups as listed.
    public static var groupVersions: [(group: String, version: String)] {
        var seen: [String] = []
        var out: [(String, String)] = []
        for r in all where !seen.contains(r.apiVersion) {
            seen.append(r.apiVersion)
            out.append((r.group, r.version))
        }
        return out
    }

    public static func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    public static func lookup(apiVersion: String, kind: String) -> ResourceInfo? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    public static func resources(group: String, version: String) -> [ResourceInfo] {
        all.filter { $0.group == group && $0.version == version }
    }
}
