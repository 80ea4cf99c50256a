import EdgeAPI

/// Upstream's bootstrap ClusterRoles (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), the ones
/// edgectl's resources give meaning to, with the labels and annotations upstream puts on them.
enum BootstrapRoles {
    static let read = ["get", "list", "watch"]
    static let write = ["create", "delete", "deletecollection", "patch", "update"]
    static let readWrite = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static func r(_ verbs: [String], _ groups: [String], _ resources: [String], names: [String] = []) -> PolicyRule {
        PolicyRule(verbs: verbs, apiGroups: groups, resources: resources, resourceNames: names)
    }

    static func urls(_ verbs: [String], _ urls: [String]) -> PolicyRule { PolicyRule(verbs: verbs, nonResourceURLs: urls) }

    struct Role {
        var name: String
        var rules: [PolicyRule]
        var labels: [String: String] = [:]
        /// Labels of ClusterRoles whose rules this one collects (admin, edit, view).
        var aggregateFrom: String?
    }

    static let aggregateLabel = "rbac.authorization.k8s.io/aggregate-to-"

    static var all: [Role] {
        [
            Role(name: "cluster-admin", rules: [r(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
            Role(name: "system:discovery", rules: [urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                                                                  "/openapi/*", "/readyz", "/version", "/version/"])]),
            Role(name: "system:basic-user", rules: [r(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                                                    r(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])]),
            Role(name: "system:public-info-viewer", rules: [urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
            Role(name: "system:monitoring", rules: [urls(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis",
                                                                   "/readyz", "/readyz/*"])]),
            Role(name: "admin", rules: [], aggregateFrom: "admin"),
            Role(name: "edit", rules: [], labels: [aggregateLabel + "admin": "true"], aggregateFrom: "edit"),
            Role(name: "view", rules: [], labels: [aggregateLabel + "edit": "true"], aggregateFrom: "view"),
            Role(name: "system:aggregate-to-admin", rules: aggregateToAdmin, labels: [aggregateLabel + "admin": "true"]),
            Role(name: "system:aggregate-to-edit", rules: aggregateToEdit, labels: [aggregateLabel + "edit": "true"]),
            Role(name: "system:aggregate-to-view", rules: aggregateToView, labels: [aggregateLabel + "view": "true"]),
            Role(name: "system:auth-delegator", rules: [r(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
                                                        r(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"])]),
            Role(name: "system:node-bootstrapper", rules: [r(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])]),
            // kubeadm's: a joining machine checks that its node name is not taken.
            Role(name: "kubeadm:get-nodes", rules: [r(["get"], [""], ["nodes"])]),
            Role(name: "system:node-proxier", rules: [r(["list", "watch"], [""], ["services", "endpoints"]), r(read, [""], ["nodes"]),
                                                      r(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
                                                      r(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])]),
            Role(name: "system:kube-dns", rules: [r(["list", "watch"], [""], ["endpoints", "services"])]),
            Role(name: "system:kube-scheduler", rules: kubeScheduler),
            Role(name: "system:volume-scheduler", rules: [r(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumes"]),
                                                          r(read, ["storage.k8s.io"], ["storageclasses"]),
                                                          r(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumeclaims"])]),
            Role(name: "system:kube-controller-manager", rules: kubeControllerManager),
            Role(name: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                 rules: [r(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"])]),
            Role(name: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                 rules: [r(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"])]),
            Role(name: "system:certificates.k8s.io:kube-apiserver-client-approver",
                 rules: [r(["approve"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/kube-apiserver-client"])]),
            Role(name: "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
                 rules: [r(["approve"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/kube-apiserver-client-kubelet"])]),
            Role(name: "system:certificates.k8s.io:kubelet-serving-approver",
                 rules: [r(["approve"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/kubelet-serving"])]),
            Role(name: "system:certificates.k8s.io:legacy-unknown-approver",
                 rules: [r(["approve"], ["certificates.k8s.io"], ["signers"], names: ["kubernetes.io/legacy-unknown"])]),
        ] + BootstrapControllerRoles.all.map { Role(name: "system:controller:" + $0.0, rules: $0.1) }
    }

    static let aggregateToAdmin: [PolicyRule] = [
        r(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        r(readWrite, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]),
    ]

    static let aggregateToEdit: [PolicyRule] = [
        r(read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
        r(["impersonate"], [""], ["serviceaccounts"]),
        r(write, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        r(["create"], [""], ["pods/eviction"]),
        r(write, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets",
                        "serviceaccounts", "services", "services/proxy"]),
        r(["create"], [""], ["serviceaccounts/token"]),
        r(write, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                            "statefulsets", "statefulsets/scale"]),
        r(write, ["autoscaling"], ["horizontalpodautoscalers"]),
        r(write, ["batch"], ["cronjobs", "jobs"]),
        r(write, ["policy"], ["poddisruptionbudgets"]),
        r(write, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        r(readWrite, ["coordination.k8s.io"], ["leases"]),
    ]

    static let aggregateToView: [PolicyRule] = [
        r(read, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                       "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
        r(read, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status",
                       "resourcequotas", "resourcequotas/status"]),
        r(read, [""], ["namespaces"]),
        r(read, ["discovery.k8s.io"], ["endpointslices"]),
        r(read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                           "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
        r(read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        r(read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        r(read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        r(read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
    ]

    static let kubeScheduler: [PolicyRule] = [
        r(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
        r(["create"], ["coordination.k8s.io"], ["leases"]),
        r(["get", "update"], ["coordination.k8s.io"], ["leases"], names: ["kube-scheduler"]),
        r(read, [""], ["nodes"]),
        r(["delete", "get", "list", "watch"], [""], ["pods"]),
        r(["create"], [""], ["bindings", "pods/binding"]),
        r(["patch", "update"], [""], ["pods/status"]),
        r(read, [""], ["replicationcontrollers", "services"]),
        r(read, ["apps"], ["replicasets", "statefulsets"]),
        r(read, ["policy"], ["poddisruptionbudgets"]),
        r(read, [""], ["persistentvolumeclaims", "persistentvolumes"]),
        r(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
        r(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
        r(read, ["storage.k8s.io"], ["csinodes", "csidrivers", "csistoragecapacities", "storageclasses"]),
        r(read, [""], ["namespaces"]),
    ]

    /// Upstream's role for kube-controller-manager's own identity. Upstream's controllers then act as one
    /// service account each; edgectl's run in one client, so `ControllerIdentity` binds this user to the
    /// system:controller:* roles of the controllers it runs as well.
    static let kubeControllerManager: [PolicyRule] = [
        r(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
        r(["create"], ["coordination.k8s.io"], ["leases"]),
        r(["get", "update"], ["coordination.k8s.io"], ["leases"], names: ["kube-controller-manager"]),
        r(["create"], [""], ["secrets", "serviceaccounts"]),
        r(["delete"], [""], ["secrets"]),
        r(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
        r(["update"], [""], ["secrets", "serviceaccounts"]),
        r(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
        r(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
        r(["list", "watch"], ["*"], ["*"]),
        r(["create"], [""], ["serviceaccounts/token"]),
    ]
}
