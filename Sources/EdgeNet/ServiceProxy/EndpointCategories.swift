/// Which endpoints serve which traffic (upstream's CategorizeEndpoints
/// without topology hints): ready ones, else those still serving while they
/// terminate, so a rolling update never leaves a window with nothing.
struct EndpointCategories: Equatable {
    var cluster: [ProxyEndpoint] = []
    var local: [ProxyEndpoint] = []

    init(_ port: ProxyServicePort, _ endpoints: [ProxyEndpoint]) {
        if port.usesClusterEndpoints {
            cluster = endpoints.filter(\.ready)
            if cluster.isEmpty { cluster = endpoints.filter { $0.serving && $0.terminating } }
        }
        if port.usesLocalEndpoints {
            local = endpoints.filter { $0.ready && $0.local }
            if local.isEmpty { local = endpoints.filter { $0.serving && $0.terminating && $0.local } }
        }
    }

    /// Every endpoint some chain of this service may send to (each gets a SEP chain).
    var reachable: [ProxyEndpoint] { Array(Set(cluster + local)).sorted() }
}
