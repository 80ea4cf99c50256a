/// The directory questions behind each agent API request, answered with
/// kubelet's refusals: unknown pod or container 404, nothing to show 400.
enum ContainerLookup {
    static func checkContainer(_ d: any ContainerDirectory, _ ns: String, _ pod: String, _ container: String) throws(AgentAPIError) {
        guard let names = d.containerNames(namespace: ns, pod: pod) else { throw .notFound("pod \"\(pod)\" does not exist in namespace \"\(ns)\" on this node") }
        guard names.contains(container) else { throw .notFound("container \"\(container)\" not found in pod \"\(pod)\"") }
    }

    static func logPath(_ d: any ContainerDirectory, _ ns: String, _ pod: String, _ container: String, previous: Bool) throws(AgentAPIError) -> String {
        try checkContainer(d, ns, pod, container)
        guard let path = d.logPath(namespace: ns, pod: pod, container: container, previous: previous) else {
            if previous { throw .badRequest("previous terminated container \"\(container)\" in pod \"\(pod)\" not found") }
            throw .badRequest("container \"\(container)\" in pod \"\(pod)\" is waiting to start")
        }
        return path
    }

    static func execTarget(_ d: any ContainerDirectory, _ ns: String, _ pod: String, _ container: String) throws(AgentAPIError) -> ExecTarget {
        try checkContainer(d, ns, pod, container)
        guard let t = d.execTarget(namespace: ns, pod: pod, container: container) else {
            throw .badRequest("container \"\(container)\" in pod \"\(pod)\" is not running")
        }
        return t
    }
}
