/// meta.k8s.io/v1 Table responses: upstream's default columns per resource,
/// so `kubectl get` and `-o wide` print what users expect.
public enum TableConvertor {
    public static func columns(for resource: String) -> [TableColumn] {
        let c = Cells.self
        switch resource {
        case "pods":
            return [.name,
                    TableColumn("Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { o, _ in .string(PodTableCells.ready(o)) },
                    TableColumn("Status", description: "The aggregate status of the containers in this pod.") { o, _ in .string(PodTableCells.status(o)) },
                    TableColumn("Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { o, now in .string(PodTableCells.restarts(o, now: now)) },
                    .age,
                    TableColumn("IP", priority: 1, description: "IP address assigned to the pod") { o, _ in c.s(o, "status", "podIP") },
                    TableColumn("Node", priority: 1, description: "Name of the node the pod is assigned to") { o, _ in c.s(o, "spec", "nodeName") },
                    TableColumn("Nominated Node", priority: 1, description: "Nominated node") { o, _ in c.s(o, "status", "nominatedNodeName") },
                    TableColumn("Readiness Gates", priority: 1, description: "Readiness gates") { o, _ in .string(PodTableCells.readinessGates(o)) }]
        case "namespaces":
            return [.name, TableColumn("Status") { o, _ in c.s(o, "status", "phase", none: "") }, .age]
        case "nodes":
            return [.name, TableColumn("Status") { o, _ in .string(c.nodeStatus(o)) }, TableColumn("Roles") { o, _ in .string(c.nodeRoles(o)) },
                    .age, TableColumn("Version") { o, _ in c.s(o, "status", "nodeInfo", "kubeletVersion", none: "") },
                    TableColumn("Internal-IP", priority: 1) { o, _ in .string(c.address(o, "InternalIP")) },
                    TableColumn("External-IP", priority: 1) { o, _ in .string(c.address(o, "ExternalIP")) },
                    TableColumn("OS-Image", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "osImage", none: "<unknown>") },
                    TableColumn("Kernel-Version", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "kernelVersion", none: "<unknown>") },
                    TableColumn("Container-Runtime", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "containerRuntimeVersion", none: "<unknown>") }]
        case "services":
            return [.name, TableColumn("Type") { o, _ in c.s(o, "spec", "type", none: "ClusterIP") },
                    TableColumn("Cluster-IP") { o, _ in c.s(o, "spec", "clusterIP") },
                    TableColumn("External-IP") { o, _ in .string(c.externalIPs(o)) },
                    TableColumn("Port(s)") { o, _ in .string(c.servicePorts(o)) }, .age,
                    TableColumn("Selector", priority: 1) { o, _ in .string(c.mapString(o[path: ["spec", "selector"]])) }]
        case "endpoints":
            return [.name, TableColumn("Endpoints") { o, _ in .string(c.endpoints(o)) }, .age]
        case "configmaps":
            return [.name, TableColumn("Data", type: "integer") { o, _ in .int(Int64((o["data"]?.object?.count ?? 0) + (o["binaryData"]?.object?.count ?? 0))) }, .age]
        case "secrets":
            return [.name, TableColumn("Type") { o, _ in c.s(o, "type", none: "") },
                    TableColumn("Data", type: "integer") { o, _ in .int(Int64(o["data"]?.object?.count ?? 0)) }, .age]
        case "serviceaccounts":
            return [.name, TableColumn("Secrets", type: "integer") { o, _ in .int(Int64(o["secrets"]?.array?.count ?? 0)) }, .age]
        case "events":
            return [TableColumn("Last Seen") { o, now in
                        .string(HumanDuration.since((o["lastTimestamp"] ?? o["eventTime"] ?? o[path: ["metadata", "creationTimestamp"]])?.string, now: now)) },
                    TableColumn("Type") { o, _ in c.s(o, "type", none: "") },
                    TableColumn("Reason") { o, _ in c.s(o, "reason", none: "") },
                    TableColumn("Object") { o, _ in
                        .string("\((o[path: ["involvedObject", "kind"]]?.string ?? "").lowercased())/\(o[path: ["involvedObject", "name"]]?.string ?? "")") },
                    TableColumn("Message") { o, _ in c.s(o, "message", none: "") }]
        case "deployments":
            return [.name, TableColumn("Ready") { o, _ in .string("\(c.i(o, "status", "readyReplicas"))/\(c.i(o, "spec", "replicas"))") },
                    TableColumn("Up-to-date", type: "integer") { o, _ in .int(c.i(o, "status", "updatedReplicas")) },
                    TableColumn("Available", type: "integer") { o, _ in .int(c.i(o, "status", "availableReplicas")) }, .age,
                    TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
                    TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
                    TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]
        case "replicasets":
            return [.name, TableColumn("Desired", type: "integer") { o, _ in .int(c.i(o, "spec", "replicas")) },
                    TableColumn("Current", type: "integer") { o, _ in .int(c.i(o, "status", "replicas")) },
                    TableColumn("Ready", type: "integer") { o, _ in .int(c.i(o, "status", "readyReplicas")) }, .age,
                    TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
                    TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
                    TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]
        case "daemonsets":
            return [.name, TableColumn("Desired", type: "integer") { o, _ in .int(c.i(o, "status", "desiredNumberScheduled")) },
                    TableColumn("Current", type: "integer") { o, _ in .int(c.i(o, "status", "currentNumberScheduled")) },
                    TableColumn("Ready", type: "integer") { o, _ in .int(c.i(o, "status", "numberReady")) },
                    TableColumn("Up-to-date", type: "integer") { o, _ in .int(c.i(o, "status", "updatedNumberScheduled")) },
                    TableColumn("Available", type: "integer") { o, _ in .int(c.i(o, "status", "numberAvailable")) },
                    TableColumn("Node Selector") { o, _ in .string(c.mapString(o[path: ["spec", "template", "spec", "nodeSelector"]])) }, .age,
                    TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
                    TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
                    TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]
        case "statefulsets":
            return [.name, TableColumn("Ready") { o, _ in .string("\(c.i(o, "status", "readyReplicas"))/\(c.i(o, "spec", "replicas"))") }, .age,
                    TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
                    TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) }]
        case "jobs":
            return [.name, TableColumn("Status") { o, _ in .string(c.jobStatus(o)) },
                    TableColumn("Completions") { o, _ in .string(c.jobCompletions(o)) },
                    TableColumn("Duration") { o, now in .string(c.jobDuration(o, now)) }, .age,
                    TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
                    TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
                    TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]
        case "cronjobs":
            return [.name, TableColumn("Schedule") { o, _ in c.s(o, "spec", "schedule", none: "") },
                    TableColumn("Timezone") { o, _ in c.s(o, "spec", "timeZone") },
                    TableColumn("Suspend", type: "boolean") { o, _ in .bool(o[path: ["spec", "suspend"]]?.bool ?? false) },
                    TableColumn("Active", type: "integer") { o, _ in .int(Int64(o[path: ["status", "active"]]?.array?.count ?? 0)) },
                    TableColumn("Last Schedule") { o, now in
                        o[path: ["status", "lastScheduleTime"]].map { .string(HumanDuration.since($0.string, now: now)) } ?? "<none>" }, .age]
        case "leases":
            return [.name, TableColumn("Holder") { o, _ in c.s(o, "spec", "holderIdentity", none: "") }, .age]
        case "endpointslices":
            return [.name, TableColumn("AddressType") { o, _ in c.s(o, "addressType", none: "") },
                    TableColumn("Ports") { o, _ in
                        let ps = (o["ports"]?.array ?? []).compactMap { $0["port"]?.int }.map(String.init)
                        return .string(ps.isEmpty ? "<unset>" : ps.joined(separator: ",")) },
                    TableColumn("Endpoints") { o, _ in
                        let addrs = (o["endpoints"]?.array ?? []).flatMap { ($0["addresses"]?.array ?? []).compactMap(\.string) }
                        return .string(addrs.isEmpty ? "<unset>" : c.truncatedList(addrs)) }, .age]
        case "certificatesigningrequests":
            return [.name, .age, TableColumn("SignerName") { o, _ in c.s(o, "spec", "signerName", none: "") },
                    TableColumn("Requestor") { o, _ in c.s(o, "spec", "username", none: "") },
                    TableColumn("RequestedDuration") { o, _ in
                        o[path: ["spec", "expirationSeconds"]]?.int.map { .string(HumanDuration.format(seconds: $0)) } ?? "<none>" },
                    TableColumn("Condition") { o, _ in .string(c.csrCondition(o)) }]
        case "horizontalpodautoscalers":
            return [.name, TableColumn("Reference") { o, _ in
                        .string("\(o[path: ["spec", "scaleTargetRef", "kind"]]?.string ?? "")/\(o[path: ["spec", "scaleTargetRef", "name"]]?.string ?? "")") },
                    TableColumn("Targets") { o, _ in .string(c.hpaTargets(o)) },
                    TableColumn("MinPods", type: "integer") { o, _ in .int(o[path: ["spec", "minReplicas"]]?.int ?? 1) },
                    TableColumn("MaxPods", type: "integer") { o, _ in .int(c.i(o, "spec", "maxReplicas")) },
                    TableColumn("Replicas", type: "integer") { o, _ in .int(c.i(o, "status", "currentReplicas")) }, .age]
        default:
            return [.name, .age]
        }
    }

    /// The Table for `items`; `rowObject` chooses what each row carries (metadata, the object, nothing).
    public static func table(resource: String, items: [JSON], now: Timestamp, listMeta: JSON?, rowObject: (JSON) -> JSON) -> JSON {
        let cols = columns(for: resource)
        let rows: [JSON] = items.map { o in ["cells": .array(cols.map { $0.cell(o, now) }), "object": rowObject(o)] }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMeta ?? [:],
                "columnDefinitions": .array(cols.map(\.definition)), "rows": .array(rows)]
    }
}
