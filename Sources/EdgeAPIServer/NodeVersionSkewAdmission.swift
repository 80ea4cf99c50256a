import EdgeAPI

/// The version skew policy for nodes, on top of another admission: a Node whose agent reports an
/// edgectl build more than one minor version newer than this server is refused (upgrade order:
/// servers first, then agents), with a message the agent prints. Older agents are accepted.
public struct NodeVersionSkewAdmission: Admission {
    let inner: any Admission
    let server: EdgectlVersion

    public init(_ inner: any Admission, serverVersion: EdgectlVersion) {
        self.inner = inner
        self.server = serverVersion
    }

    public func applyDefaults(_ obj: inout JSON, resource: ResourceInfo) { inner.applyDefaults(&obj, resource: resource) }

    public func validate(_ obj: JSON, old: JSON?, resource: ResourceInfo) -> APIError? {
        if resource.group == "", resource.kind == "Node",
           let reported = obj[path: ["status", "nodeInfo", "kubeletVersion"]]?.string, let agent = EdgectlVersion(kubeletVersion: reported),
           agent.agentTooNew(for: server) {
            let name = obj[path: ["metadata", "name"]]?.string ?? ""
            return APIError.forbidden("nodes \"\(name)\" is forbidden: node \(name) runs edgectl \(agent), more than one minor version newer than this server's \(server): "
                + "upgrade the servers first, then the agents (an agent may be at most one minor version newer than its server)", resource, name)
        }
        return inner.validate(obj, old: old, resource: resource)
    }

    public func checkDecoding(_ obj: JSON, resource: ResourceInfo) -> DecodeReport { inner.checkDecoding(obj, resource: resource) }
    public func pruneUnknownFields(_ obj: inout JSON, resource: ResourceInfo) { inner.pruneUnknownFields(&obj, resource: resource) }
    public func patchSchema(resource: ResourceInfo) -> (any PatchSchemaNode)? { inner.patchSchema(resource: resource) }
}
