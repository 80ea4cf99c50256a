import EdgeControllers
import EdgeTLS

extension ClusterCertificateAuthority: CertificateAuthority {}

/// The controllers `edgectl server` runs.
enum ControllerSet {
    static func all(ca: ClusterCertificateAuthority) -> [any Controller] {
        [ReplicaSetController(), DeploymentController(), GarbageCollector(), NodeLifecycleController(), DaemonSetController(),
         JobController(), CronJobController(), ServiceAccountController(), PodGarbageCollector(), EndpointsController(), EndpointSliceController(), StatefulSetController(), BootstrapTokenCleaner(),
         CSRApprovingController(ca: ca), CSRSigningController(ca: ca), HorizontalPodAutoscalerController(metrics: NoPodMetrics())]
    }
}
