import EdgeAPI

/// Upstream's roles for the controllers edgectl runs (bootstrappolicy/controller_policy.go), named
/// `system:controller:<controller>`. Upstream binds each to its controller's ServiceAccount in
/// kube-system; edgectl's controllers share one client as `system:kube-controller-manager`, so each
/// binding names that user too: together they hold what these controllers need and no more
/// (no creating Secrets, Roles or bindings, no exec into pods).
enum BootstrapControllerRoles {
    typealias R = BootstrapRoles
    static let events = R.r(["create", "patch", "update"], ["", "events.k8s.io"], ["events"])
    static let podControl = R.r(["create", "delete", "list", "patch", "watch"], [""], ["pods"])

    /// (controller name, its rules); the role is `system:controller:NAME`, its ServiceAccount `kube-system/NAME`.
    static let all: [(String, [PolicyRule])] = [
        ("clusterrole-aggregation-controller", [R.r(["escalate", "get", "list", "patch", "update", "watch"], ["rbac.authorization.k8s.io"], ["clusterroles"])]),
        ("cronjob-controller", [R.r(["get", "list", "update", "watch"], ["batch"], ["cronjobs"]),
                                R.r(["create", "delete", "get", "list", "patch", "update", "watch"], ["batch"], ["jobs"]),
                                R.r(["update"], ["batch"], ["cronjobs/status", "cronjobs/finalizers"]),
                                R.r(["delete", "list"], [""], ["pods"]), events]),
        ("daemon-set-controller", [R.r(["get", "list", "watch"], ["apps"], ["daemonsets"]),
                                   R.r(["update"], ["apps"], ["daemonsets/status", "daemonsets/finalizers"]),
                                   R.r(["list", "watch"], [""], ["nodes"]), podControl, R.r(["create"], [""], ["pods/binding"]),
                                   R.r(["create", "delete", "list", "patch", "update", "watch"], ["apps"], ["controllerrevisions"]), events]),
        ("deployment-controller", [R.r(["get", "list", "patch", "update", "watch"], ["apps"], ["deployments"]),
                                   R.r(["update"], ["apps"], ["deployments/status", "deployments/finalizers"]),
                                   R.r(["create", "delete", "get", "list", "patch", "update", "watch"], ["apps"], ["replicasets"]),
                                   R.r(["get", "list", "update", "watch"], [""], ["pods"]), events]),
        ("endpoint-controller", [R.r(["get", "list", "watch"], [""], ["services", "pods"]),
                                 R.r(["create", "delete", "get", "list", "update"], [""], ["endpoints"]),
                                 R.r(["create"], [""], ["endpoints/restricted"]), events]),
        ("endpointslice-controller", [R.r(["get", "list", "watch"], [""], ["services", "pods", "nodes"]),
                                      R.r(["create", "delete", "get", "list", "update"], ["discovery.k8s.io"], ["endpointslices"]), events]),
        ("garbage-collector", [R.r(["delete", "get", "list", "patch", "update", "watch"], ["*"], ["*"])]),
        ("horizontal-pod-autoscaler", [R.r(["get", "list", "watch"], ["autoscaling"], ["horizontalpodautoscalers"]),
                                       R.r(["update"], ["autoscaling"], ["horizontalpodautoscalers/status"]),
                                       R.r(["get", "patch", "update"], ["*"], ["*/scale"]), R.r(["list"], [""], ["pods"]), events]),
        ("job-controller", [R.r(["get", "list", "patch", "update", "watch"], ["batch"], ["jobs"]),
                            R.r(["update"], ["batch"], ["jobs/status", "jobs/finalizers"]), podControl, events]),
        ("node-controller", [R.r(["delete", "get", "list", "patch", "update"], [""], ["nodes"]),
                             R.r(["patch", "update"], [""], ["nodes/status", "pods/status"]),
                             R.r(["delete", "list"], [""], ["pods"]), events]),
        ("pod-garbage-collector", [R.r(["delete", "list", "watch"], [""], ["pods"]), R.r(["get", "list", "watch"], [""], ["nodes"]),
                                   R.r(["patch"], [""], ["pods/status"])]),
        ("replicaset-controller", [R.r(["get", "list", "update", "watch"], ["apps"], ["replicasets"]),
                                   R.r(["update"], ["apps"], ["replicasets/status", "replicasets/finalizers"]), podControl, events]),
        ("replication-controller", [R.r(["get", "list", "update", "watch"], [""], ["replicationcontrollers"]),
                                    R.r(["update"], [""], ["replicationcontrollers/status", "replicationcontrollers/finalizers"]), podControl, events]),
        ("root-ca-cert-publisher", [R.r(["create", "update"], [""], ["configmaps"]), events]),
        ("service-account-controller", [R.r(["create"], [""], ["serviceaccounts"]), events]),
        ("service-controller", [R.r(["get", "list", "watch"], [""], ["services"]), R.r(["patch", "update"], [""], ["services/status"]),
                                R.r(["list", "watch"], [""], ["nodes"]), events]),
        ("statefulset-controller", [R.r(["get", "list", "watch"], [""], ["pods"]), R.r(["get", "list", "watch"], ["apps"], ["statefulsets"]),
                                    R.r(["update"], ["apps"], ["statefulsets/status", "statefulsets/finalizers"]),
                                    R.r(["create", "delete", "get", "patch", "update"], [""], ["pods"]),
                                    R.r(["create", "delete", "get", "list", "patch", "update", "watch"], ["apps"], ["controllerrevisions"]),
                                    R.r(["create", "get"], [""], ["persistentvolumeclaims"]), events]),
        ("certificate-controller", [R.r(["delete", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
                                    R.r(["update"], ["certificates.k8s.io"], ["certificatesigningrequests/approval", "certificatesigningrequests/status"]),
                                    R.r(["approve"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/kube-apiserver-client",
                                                                                                   "kubernetes.io/kube-apiserver-client-kubelet",
                                                                                                   "kubernetes.io/legacy-unknown"]),
                                    R.r(["sign"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/kube-apiserver-client",
                                                                                                "kubernetes.io/kube-apiserver-client-kubelet",
                                                                                                "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"]),
                                    R.r(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]), events]),
        // kube-system's bootstrap token cleaner (upstream: a Role in kube-system; one more ClusterRole here).
        ("token-cleaner", [R.r(["delete", "get", "list", "watch"], [""], ["secrets"]), events]),
    ]

    static let user = "system:kube-controller-manager"
}
