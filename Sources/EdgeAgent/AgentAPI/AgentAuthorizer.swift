import EdgeTLS

/// Who may use the agent API: only callers with a client certificate from the
/// cluster CA (the TLS layer verified it), and of those only the API server's
/// kubelet client identity or members of system:masters. Anonymous callers get
/// 401 and other certified users 403, as a kubelet with anonymous auth off.
enum AgentAuthorizer {
    static let apiServerUser = "kube-apiserver-kubelet-client"
    static let masterGroup = "system:masters"

    static func check(_ peer: CertificateSubject?, verb: String, path: String) -> AgentAPIError? {
        guard let peer else { return .unauthorized }
        if peer.commonName == apiServerUser || peer.organizations.contains(masterGroup) { return nil }
        return AgentAPIError(status: 403, message: "Forbidden (user=\(peer.commonName), verb=\(verb), resource=nodes, subresource=proxy)")
    }
}
