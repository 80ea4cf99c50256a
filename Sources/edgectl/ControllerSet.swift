import EdgeControllers
import EdgeTLS

extension ClusterCertificateAuthority: CertificateAuthority {}

/// The controllers `edgectl server` runs.
enum ControllerSet {
    /// `nodeCertSeconds`: lifetime of node client certificates (--node-cert-lifetime).
    /// `nodeGraceSeconds`: how long a node's lease may go unrenewed before it is Unknown (--node-monitor-grace-period).
    static func all(ca: ClusterCertificateAuthority, nodeCertSeconds: Int64 = CSRSigningController.defaultSeconds,
                    nodeGraceSeconds: Int64 = 50) -> [any Controller] {
        [ReplicaSetController(), DeploymentController(), GarbageCollector(), NodeLifecycleController(gracePeriodSeconds: nodeGraceSeconds), DaemonSetController(),
         JobController(), CronJobController(), ServiceAccountController(), PodGarbageCollector(), EndpointsController(), EndpointSliceController(), StatefulSetController(), BootstrapTokenCleaner(),
         CSRApprovingController(ca: ca), CSRSigningController(ca: ca, nodeClientSeconds: nodeCertSeconds), HorizontalPodAutoscalerController(metrics: NoPodMetrics())]
    }
}
