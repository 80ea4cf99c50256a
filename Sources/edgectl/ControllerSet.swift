import EdgeAPI
import EdgeControllers
import EdgeTLS

extension ClusterCertificateAuthority: CertificateAuthority {}

/// The controllers `edgectl server` runs.
enum ControllerSet {
    /// `nodeCertSeconds`: lifetime of node client certificates (--node-cert-lifetime).
    /// `network`: the cluster's network settings, for node IPAM (pod ranges) and what it tells the nodes.
    /// `nodeGraceSeconds`: how long a node's lease may go unrenewed before it is Unknown (--node-monitor-grace-period).
    static func all(ca: ClusterCertificateAuthority, nodeCertSeconds: Int64 = CSRSigningController.defaultSeconds,
                    network: ClusterNetworkSettings = ClusterNetworkSettings(), nodeGraceSeconds: Int64 = 50) throws -> [any Controller] {
        [try NodeIPAMController(settings: network), ReplicaSetController(), ReplicaSetController(kind: .replicationControllers),
         DeploymentController(), GarbageCollector(), NodeLifecycleController(gracePeriodSeconds: nodeGraceSeconds), DaemonSetController(),
         JobController(), CronJobController(), ServiceAccountController(), PodGarbageCollector(), EndpointsController(), EndpointSliceController(), StatefulSetController(), BootstrapTokenCleaner(),
         CSRApprovingController(ca: ca), CSRSigningController(ca: ca, nodeClientSeconds: nodeCertSeconds), HorizontalPodAutoscalerController(metrics: NoPodMetrics()),
         ClusterRoleAggregationController(), RootCACertPublisher(caPEM: ca.caCertPEM)]
    }

    /// The controllers of packaged networking components (`--disable coredns`, `--disable servicelb` leave them out).
    static func networking(dns: Bool, serviceLB: Bool) -> [any Controller] {
        (dns ? [ClusterDNSEndpointsController()] : []) + (serviceLB ? [ServiceLoadBalancerController()] : [])
    }
}
