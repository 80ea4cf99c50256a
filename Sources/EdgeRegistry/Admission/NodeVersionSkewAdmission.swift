import EdgeAPI

/// The version skew policy for nodes, as a validating admission step: a Node
/// whose agent reports an edgectl build more than one minor version newer than
/// this server is refused (upgrade order: servers first, then agents), with a
/// message the agent prints. Older agents are accepted.
public struct NodeVersionSkewAdmission: ValidatingAdmissionStep {
    public let name = "NodeVersionSkew"
    let server: EdgectlVersion

    public init(serverVersion: EdgectlVersion) {
        self.server = serverVersion
    }

    public func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws {
        if let e = refusal(request) { throw e }
    }

    /// The refusal for a Node write, nil when it may go on.
    func refusal(_ request: AdmissionRequest) -> APIError? {
        guard request.operation == .create || request.operation == .update, request.resource.group == "",
              request.resource.plural == "nodes", let obj = request.object,
              let reported = obj[path: ["status", "nodeInfo", "kubeletVersion"]]?.string,
              let agent = EdgectlVersion(kubeletVersion: reported), agent.agentTooNew(for: server) else { return nil }
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        return APIError.forbidden("nodes \"\(name)\" is forbidden: node \(name) runs edgectl \(agent), more than one minor version newer than this server's \(server): "
            + "upgrade the servers first, then the agents (an agent may be at most one minor version newer than its server)", request.resource, name)
    }
}
