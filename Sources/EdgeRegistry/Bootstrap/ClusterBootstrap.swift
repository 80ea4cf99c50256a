import EdgeAPI

/// Objects every cluster has from its first start (as kube-apiserver creates them).
public enum ClusterBootstrap {
    public static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Namespaces, and the `kubernetes` Service (first service IP, port 443) whose
    /// Endpoints point at the API server, so in-cluster clients can find it.
    public static func ensureSystemObjects(_ store: ObjectStore, apiServerIP: String? = nil, apiServerPort: Int = 6443) async throws {
        let nsInfo = BuiltinResources.namespaces
        for name in systemNamespaces {
            if try await store.getIfExists(nsInfo, namespace: nil, name: name) != nil { continue }
            let obj: JSON = ["apiVersion": "v1", "kind": "Namespace",
                             "metadata": ["name": .string(name), "labels": ["kubernetes.io/metadata.name": .string(name)]]]
            do {
                _ = try await store.create(nsInfo, namespace: nil, object: obj, context: .apiServer)
            } catch let e as APIError where e.code == 409 {
                continue
            }
        }
        guard let apiServerIP, let allocator = store.services else { return }
        let services = BuiltinResources.services
        let endpoints = BuiltinResources.endpoints
        let labels: JSON = ["component": "apiserver", "provider": "kubernetes"]
        if try await store.getIfExists(services, namespace: "default", name: "kubernetes") == nil {
            let ip = ServiceAllocator.formatIPv4(allocator.network &+ 1)
            let svc: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "kubernetes", "labels": labels],
                             "spec": ["type": "ClusterIP", "clusterIP": .string(ip), "sessionAffinity": "None",
                                      "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(apiServerPort))]]]]
            _ = try? await store.create(services, namespace: "default", object: svc, context: .apiServer)
        }
        let subsets: JSON = [["addresses": [["ip": .string(apiServerIP)]],
                              "ports": [["name": "https", "port": .int(Int64(apiServerPort)), "protocol": "TCP"]]]]
        // Created with this server's address; from then on every server's APIServerEndpointsReconciler keeps
        // it listing all live servers (rewriting it here would drop the others).
        if try await store.getIfExists(endpoints, namespace: "default", name: "kubernetes") == nil {
            _ = try? await store.create(endpoints, namespace: "default",
                                        object: ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "kubernetes", "labels": labels],
                                                 "subsets": subsets], context: .apiServer)
        }
        // The EndpointSlice beside it, as upstream's apiserver writes both: proxies read slices.
        let slices = BuiltinResources.endpointSlices
        let sliceEndpoints: JSON = [["addresses": [.string(apiServerIP)], "conditions": ["ready": true, "serving": true, "terminating": false]]]
        let slicePorts: JSON = [["name": "https", "port": .int(Int64(apiServerPort)), "protocol": "TCP"]]
        if let s = try await store.getIfExists(slices, namespace: "default", name: "kubernetes") {
            if s["endpoints"] != sliceEndpoints || s["ports"] != slicePorts {
                _ = try? await store.guaranteedUpdate(slices, namespace: "default", name: "kubernetes", context: .apiServer) { old in
                    var n = old
                    n["endpoints"] = sliceEndpoints
                    n["ports"] = slicePorts
                    return (n, false)
                }
            }
        } else {
            _ = try? await store.create(slices, namespace: "default",
                                        object: ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                                                 "metadata": ["name": "kubernetes", "labels": ["kubernetes.io/service-name": "kubernetes"]],
                                                 "addressType": "IPv4", "endpoints": sliceEndpoints, "ports": slicePorts], context: .apiServer)
        }
    }
}

extension ClusterBootstrap {
    /// kube-system/kube-dns: the cluster DNS address pods are given (--cluster-dns),
    /// labelled as upstream's so tools looking for it find it. It has no selector:
    /// the cluster-dns-endpoints controller lists every node's own DNS listener,
    /// and internalTrafficPolicy Local keeps each pod's queries on its node.
    /// An existing Service is left as it is (an admin may have changed it).
    public static func ensureClusterDNS(_ store: ObjectStore, ip: String, listenerPort: Int = 10053) async throws {
        let services = BuiltinResources.services
        if try await store.getIfExists(services, namespace: "kube-system", name: "kube-dns") != nil { return }
        let target = JSON.int(Int64(listenerPort))
        let svc: JSON = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "kube-dns", "namespace": "kube-system",
                         "labels": ["k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"],
                         "annotations": ["edgectl.io/served-by": .string("every node's agent (node-local, port \(listenerPort))")]],
            "spec": ["type": "ClusterIP", "clusterIP": .string(ip), "clusterIPs": [.string(ip)], "internalTrafficPolicy": "Local",
                     "sessionAffinity": "None",
                     "ports": [["name": "dns", "port": 53, "protocol": "UDP", "targetPort": target],
                               ["name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": target]]]]
        do {
            _ = try await store.create(services, namespace: "kube-system", object: svc, context: .apiServer)
        } catch let e as APIError where e.code == 409 {
            return
        }
    }

    /// kube-public/cluster-info: the CA and the address joining machines
    /// verify against their --ca-cert-hash before trusting this server.
    public static func publishClusterInfo(_ store: ObjectStore, caPEM: String, server: String) async throws {
        let configMaps = BuiltinResources.configMaps
        let kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: ""
          cluster:
            certificate-authority-data: \(Base64.encode(caPEM))
            server: \(server)
        contexts: null
        current-context: ""
        preferences: {}
        users: null

        """
        let data: JSON = ["kubeconfig": .string(kubeconfig)]
        if let existing = try await store.getIfExists(configMaps, namespace: "kube-public", name: "cluster-info") {
            guard existing["data"] != data else { return }
            _ = try await store.guaranteedUpdate(configMaps, namespace: "kube-public", name: "cluster-info", context: .apiServer) { old in
                var n = old
                n["data"] = data
                return (n, false)
            }
        } else {
            _ = try await store.create(configMaps, namespace: "kube-public",
                                       object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cluster-info"], "data": data],
                                       context: .apiServer)
        }
    }
}
