/// The resources edgectl builds in, as constants: clients and controllers name
/// them directly (`BuiltinResources.pods`), so no lookup can fail. The API
/// server's catalog starts from these and may grow at run time (custom
/// resources); code that meets a resource only by name (an owner reference, a
/// scale target) looks it up and handles a miss.
public enum BuiltinResources {
    // core/v1
    public static let namespaces = ResourceInfo(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false,
                                                shortNames: ["ns"], subresources: ["status", "finalize"])
    public static let pods = ResourceInfo(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true,
                                          shortNames: ["po"], categories: ["all"],
                                          subresources: ["status", "binding", "log", "exec", "eviction"])
    public static let services = ResourceInfo(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true,
                                              shortNames: ["svc"], categories: ["all"], subresources: ["status"])
    public static let endpoints = ResourceInfo(group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints",
                                               namespaced: true, shortNames: ["ep"])
    public static let configMaps = ResourceInfo(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true,
                                                shortNames: ["cm"])
    public static let secrets = ResourceInfo(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true)
    public static let serviceAccounts = ResourceInfo(group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts",
                                                     namespaced: true, shortNames: ["sa"], subresources: ["token"])
    public static let nodes = ResourceInfo(group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false,
                                           shortNames: ["no"], subresources: ["status", "proxy"])
    public static let events = ResourceInfo(group: "", version: "v1", kind: "Event", plural: "events", namespaced: true,
                                            shortNames: ["ev"])
    public static let replicationControllers = ResourceInfo(group: "", version: "v1", kind: "ReplicationController",
                                                            plural: "replicationcontrollers", namespaced: true,
                                                            shortNames: ["rc"], categories: ["all"], subresources: ["status", "scale"])
    // apiregistration.k8s.io/v1
    public static let apiServices = ResourceInfo(group: "apiregistration.k8s.io", version: "v1", kind: "APIService", plural: "apiservices",
                                                 namespaced: false, categories: ["api-extensions"], subresources: ["status"])
    // apps/v1
    public static let deployments = ResourceInfo(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
                                                 shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"])
    public static let replicaSets = ResourceInfo(group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true,
                                                 shortNames: ["rs"], categories: ["all"], subresources: ["status", "scale"])
    public static let daemonSets = ResourceInfo(group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true,
                                                shortNames: ["ds"], categories: ["all"], subresources: ["status"])
    public static let statefulSets = ResourceInfo(group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true,
                                                  shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"])
    // batch/v1
    public static let jobs = ResourceInfo(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true,
                                          categories: ["all"], subresources: ["status"])
    public static let cronJobs = ResourceInfo(group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true,
                                              shortNames: ["cj"], categories: ["all"], subresources: ["status"])
    // apiextensions.k8s.io/v1
    public static let customResourceDefinitions = ResourceInfo(group: "apiextensions.k8s.io", version: "v1",
                                                               kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
                                                               namespaced: false, shortNames: ["crd", "crds"],
                                                               categories: ["api-extensions"], subresources: ["status"])
    // coordination.k8s.io/v1
    public static let leases = ResourceInfo(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true)
    // discovery.k8s.io/v1
    public static let endpointSlices = ResourceInfo(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice",
                                                    plural: "endpointslices", namespaced: true)
    // certificates.k8s.io/v1
    public static let certificateSigningRequests = ResourceInfo(group: "certificates.k8s.io", version: "v1",
                                                                kind: "CertificateSigningRequest", plural: "certificatesigningrequests",
                                                                namespaced: false, shortNames: ["csr"], subresources: ["status", "approval"])
    // autoscaling/v2
    public static let horizontalPodAutoscalers = ResourceInfo(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler",
                                                              plural: "horizontalpodautoscalers", namespaced: true, shortNames: ["hpa"],
                                                              categories: ["all"], subresources: ["status"])

    // rbac.authorization.k8s.io/v1
    public static let roles = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true)
    public static let clusterRoles = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles",
                                                  namespaced: false)
    public static let roleBindings = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings",
                                                  namespaced: true)
    public static let clusterRoleBindings = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding",
                                                         plural: "clusterrolebindings", namespaced: false)
    // authorization.k8s.io/v1 and authentication.k8s.io/v1: reviews, created and answered, never stored
    public static let selfSubjectAccessReviews = ResourceInfo(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview",
                                                              plural: "selfsubjectaccessreviews", namespaced: false, verbs: ["create"])
    public static let selfSubjectRulesReviews = ResourceInfo(group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectRulesReview",
                                                             plural: "selfsubjectrulesreviews", namespaced: false, verbs: ["create"])
    public static let subjectAccessReviews = ResourceInfo(group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview",
                                                          plural: "subjectaccessreviews", namespaced: false, verbs: ["create"])
    public static let localSubjectAccessReviews = ResourceInfo(group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview",
                                                               plural: "localsubjectaccessreviews", namespaced: true, verbs: ["create"])
    public static let tokenReviews = ResourceInfo(group: "authentication.k8s.io", version: "v1", kind: "TokenReview", plural: "tokenreviews",
                                                  namespaced: false, verbs: ["create"])
    public static let selfSubjectReviews = ResourceInfo(group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview",
                                                        plural: "selfsubjectreviews", namespaced: false, verbs: ["create"])

    /// Every built-in resource, in discovery order: core first, then the groups as upstream lists them.
    public static let all: [ResourceInfo] = [
        namespaces, pods, services, endpoints, configMaps, secrets, serviceAccounts, nodes, events, replicationControllers,
        apiServices,
        deployments, replicaSets, daemonSets, statefulSets,
        horizontalPodAutoscalers,
        jobs, cronJobs,
        certificateSigningRequests,
        customResourceDefinitions,
        leases,
        endpointSlices,
        roles, clusterRoles, roleBindings, clusterRoleBindings,
        selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews, localSubjectAccessReviews,
        tokenReviews, selfSubjectReviews,
    ]

    public static func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    public static func lookup(apiVersion: String, kind: String) -> ResourceInfo? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }
}
