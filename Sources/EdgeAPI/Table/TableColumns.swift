/// Upstream's default `kubectl get` columns for each built-in resource, so
/// `kubectl get` and `-o wide` print what users expect. Each resource's
/// strategy names its columns; a resource without any gets `standard`.
public enum TableColumns {
    static let c = Cells.self

    /// What upstream's default table convertor shows: name and age.
    public static let standard: [TableColumn] = [.name, .age]

    public static let pods: [TableColumn] = [.name,
        TableColumn("Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { o, _ in .string(PodTableCells.ready(o)) },
        TableColumn("Status", description: "The aggregate status of the containers in this pod.") { o, _ in .string(PodTableCells.status(o)) },
        TableColumn("Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { o, now in .string(PodTableCells.restarts(o, now: now)) },
        .age,
        TableColumn("IP", priority: 1, description: "IP address assigned to the pod") { o, _ in c.s(o, "status", "podIP") },
        TableColumn("Node", priority: 1, description: "Name of the node the pod is assigned to") { o, _ in c.s(o, "spec", "nodeName") },
        TableColumn("Nominated Node", priority: 1, description: "Nominated node") { o, _ in c.s(o, "status", "nominatedNodeName") },
        TableColumn("Readiness Gates", priority: 1, description: "Readiness gates") { o, _ in .string(PodTableCells.readinessGates(o)) }]

    public static let namespaces: [TableColumn] = [.name, TableColumn("Status") { o, _ in c.s(o, "status", "phase", none: "") }, .age]

    public static let nodes: [TableColumn] = [.name, TableColumn("Status") { o, _ in .string(c.nodeStatus(o)) }, TableColumn("Roles") { o, _ in .string(c.nodeRoles(o)) },
        .age, TableColumn("Version") { o, _ in c.s(o, "status", "nodeInfo", "kubeletVersion", none: "") },
        TableColumn("Internal-IP", priority: 1) { o, _ in .string(c.address(o, "InternalIP")) },
        TableColumn("External-IP", priority: 1) { o, _ in .string(c.address(o, "ExternalIP")) },
        TableColumn("OS-Image", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "osImage", none: "<unknown>") },
        TableColumn("Kernel-Version", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "kernelVersion", none: "<unknown>") },
        TableColumn("Container-Runtime", priority: 1) { o, _ in c.s(o, "status", "nodeInfo", "containerRuntimeVersion", none: "<unknown>") }]

    public static let services: [TableColumn] = [.name, TableColumn("Type") { o, _ in c.s(o, "spec", "type", none: "ClusterIP") },
        TableColumn("Cluster-IP") { o, _ in c.s(o, "spec", "clusterIP") },
        TableColumn("External-IP") { o, _ in .string(c.externalIPs(o)) },
        TableColumn("Port(s)") { o, _ in .string(c.servicePorts(o)) }, .age,
        TableColumn("Selector", priority: 1) { o, _ in .string(c.mapString(o[path: ["spec", "selector"]])) }]

    public static let endpoints: [TableColumn] = [.name, TableColumn("Endpoints") { o, _ in .string(c.endpoints(o)) }, .age]

    public static let configMaps: [TableColumn] = [.name, TableColumn("Data", type: "integer") { o, _ in .int(Int64((o["data"]?.object?.count ?? 0) + (o["binaryData"]?.object?.count ?? 0))) }, .age]

    public static let secrets: [TableColumn] = [.name, TableColumn("Type") { o, _ in c.s(o, "type", none: "") },
        TableColumn("Data", type: "integer") { o, _ in .int(Int64(o["data"]?.object?.count ?? 0)) }, .age]

    public static let serviceAccounts: [TableColumn] = [.name, TableColumn("Secrets", type: "integer") { o, _ in .int(Int64(o["secrets"]?.array?.count ?? 0)) }, .age]

    public static let events: [TableColumn] = [TableColumn("Last Seen") { o, now in
                .string(HumanDuration.since((o["lastTimestamp"] ?? o["eventTime"] ?? o[path: ["metadata", "creationTimestamp"]])?.string, now: now)) },
        TableColumn("Type") { o, _ in c.s(o, "type", none: "") },
        TableColumn("Reason") { o, _ in c.s(o, "reason", none: "") },
        TableColumn("Object") { o, _ in
                .string("\((o[path: ["involvedObject", "kind"]]?.string ?? "").lowercased())/\(o[path: ["involvedObject", "name"]]?.string ?? "")") },
        TableColumn("Message") { o, _ in c.s(o, "message", none: "") }]

    public static let deployments: [TableColumn] = [.name, TableColumn("Ready") { o, _ in .string("\(c.i(o, "status", "readyReplicas"))/\(c.i(o, "spec", "replicas"))") },
        TableColumn("Up-to-date", type: "integer") { o, _ in .int(c.i(o, "status", "updatedReplicas")) },
        TableColumn("Available", type: "integer") { o, _ in .int(c.i(o, "status", "availableReplicas")) }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
        TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]

    public static let replicaSets: [TableColumn] = [.name, TableColumn("Desired", type: "integer") { o, _ in .int(c.i(o, "spec", "replicas")) },
        TableColumn("Current", type: "integer") { o, _ in .int(c.i(o, "status", "replicas")) },
        TableColumn("Ready", type: "integer") { o, _ in .int(c.i(o, "status", "readyReplicas")) }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
        TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]

    public static let daemonSets: [TableColumn] = [.name, TableColumn("Desired", type: "integer") { o, _ in .int(c.i(o, "status", "desiredNumberScheduled")) },
        TableColumn("Current", type: "integer") { o, _ in .int(c.i(o, "status", "currentNumberScheduled")) },
        TableColumn("Ready", type: "integer") { o, _ in .int(c.i(o, "status", "numberReady")) },
        TableColumn("Up-to-date", type: "integer") { o, _ in .int(c.i(o, "status", "updatedNumberScheduled")) },
        TableColumn("Available", type: "integer") { o, _ in .int(c.i(o, "status", "numberAvailable")) },
        TableColumn("Node Selector") { o, _ in .string(c.mapString(o[path: ["spec", "template", "spec", "nodeSelector"]])) }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
        TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]

    public static let statefulSets: [TableColumn] = [.name, TableColumn("Ready") { o, _ in .string("\(c.i(o, "status", "readyReplicas"))/\(c.i(o, "spec", "replicas"))") }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) }]

    public static let jobs: [TableColumn] = [.name, TableColumn("Status") { o, _ in .string(c.jobStatus(o)) },
        TableColumn("Completions") { o, _ in .string(c.jobCompletions(o)) },
        TableColumn("Duration") { o, now in .string(c.jobDuration(o, now)) }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
        TableColumn("Selector", priority: 1) { o, _ in .string(c.selector(o)) }]

    public static let cronJobs: [TableColumn] = [.name, TableColumn("Schedule") { o, _ in c.s(o, "spec", "schedule", none: "") },
        TableColumn("Timezone") { o, _ in c.s(o, "spec", "timeZone") },
        TableColumn("Suspend", type: "boolean") { o, _ in .bool(o[path: ["spec", "suspend"]]?.bool ?? false) },
        TableColumn("Active", type: "integer") { o, _ in .int(Int64(o[path: ["status", "active"]]?.array?.count ?? 0)) },
        TableColumn("Last Schedule") { o, now in
                o[path: ["status", "lastScheduleTime"]].map { .string(HumanDuration.since($0.string, now: now)) } ?? "<none>" }, .age]

    public static let leases: [TableColumn] = [.name, TableColumn("Holder") { o, _ in c.s(o, "spec", "holderIdentity", none: "") }, .age]

    public static let endpointSlices: [TableColumn] = [.name, TableColumn("AddressType") { o, _ in c.s(o, "addressType", none: "") },
        TableColumn("Ports") { o, _ in
                let ps = (o["ports"]?.array ?? []).compactMap { $0["port"]?.int }.map(String.init)
                return .string(ps.isEmpty ? "<unset>" : ps.joined(separator: ",")) },
        TableColumn("Endpoints") { o, _ in
                let addrs = (o["endpoints"]?.array ?? []).flatMap { ($0["addresses"]?.array ?? []).compactMap(\.string) }
                return .string(addrs.isEmpty ? "<unset>" : c.truncatedList(addrs)) }, .age]

    public static let certificateSigningRequests: [TableColumn] = [.name, .age, TableColumn("SignerName") { o, _ in c.s(o, "spec", "signerName", none: "") },
        TableColumn("Requestor") { o, _ in c.s(o, "spec", "username", none: "") },
        TableColumn("RequestedDuration") { o, _ in
                o[path: ["spec", "expirationSeconds"]]?.int.map { .string(HumanDuration.format(seconds: $0)) } ?? "<none>" },
        TableColumn("Condition") { o, _ in .string(c.csrCondition(o)) }]

    public static let horizontalPodAutoscalers: [TableColumn] = [.name, TableColumn("Reference") { o, _ in
                .string("\(o[path: ["spec", "scaleTargetRef", "kind"]]?.string ?? "")/\(o[path: ["spec", "scaleTargetRef", "name"]]?.string ?? "")") },
        TableColumn("Targets") { o, _ in .string(c.hpaTargets(o)) },
        TableColumn("MinPods", type: "integer") { o, _ in .int(o[path: ["spec", "minReplicas"]]?.int ?? 1) },
        TableColumn("MaxPods", type: "integer") { o, _ in .int(c.i(o, "spec", "maxReplicas")) },
        TableColumn("Replicas", type: "integer") { o, _ in .int(c.i(o, "status", "currentReplicas")) }, .age]

    public static let replicationControllers: [TableColumn] = [
        .name, TableColumn("Desired", type: "integer") { o, _ in .int(c.i(o, "spec", "replicas")) },
        TableColumn("Current", type: "integer") { o, _ in .int(c.i(o, "status", "replicas")) },
        TableColumn("Ready", type: "integer") { o, _ in .int(c.i(o, "status", "readyReplicas")) }, .age,
        TableColumn("Containers", priority: 1) { o, _ in .string(c.containers(o, \.name)) },
        TableColumn("Images", priority: 1) { o, _ in .string(c.containers(o, \.image)) },
        TableColumn("Selector", priority: 1) { o, _ in .string(c.mapString(o[path: ["spec", "selector"]])) }]

    public static let apiServices: [TableColumn] = [
        .name,
        TableColumn("Service", description: "The reference to the service that hosts this API endpoint.") { o, _ in
        .string(c.apiServiceTarget(o)) },
        TableColumn("Available", description: "Whether this service is available.") { o, _ in .string(c.apiServiceAvailable(o)) },
        .age]
}
