import EdgeControllers

/// The controllers `edgectl server` runs.
enum ControllerSet {
    static func all() -> [any Controller] {
        [ReplicaSetController(), DeploymentController(), GarbageCollector(), NodeLifecycleController(), DaemonSetController(),
         JobController(), CronJobController(), ServiceAccountController()]
    }
}
