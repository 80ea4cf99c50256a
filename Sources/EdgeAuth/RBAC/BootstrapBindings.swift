import EdgeAPI

/// The bindings upstream's bootstrap policy (and kubeadm, for joining nodes)
/// creates, so the cluster's own users and components hold their roles.
enum BootstrapBindings {
    struct Binding {
        var name: String
        var role: String
        var subjects: [JSON]
        /// A RoleBinding of a Role in this namespace; nil for a ClusterRoleBinding.
        var namespace: String? = nil
    }

    static func group(_ name: String) -> JSON { ["kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": .string(name)] }
    static func user(_ name: String) -> JSON { ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string(name)] }
    static func serviceAccount(_ ns: String, _ name: String) -> JSON {
        ["kind": "ServiceAccount", "name": .string(name), "namespace": .string(ns)]
    }

    static let clusterInfoRole = "kubeadm:bootstrap-signer-clusterinfo"

    static var clusterRoleBindings: [Binding] {
        [
            Binding(name: "cluster-admin", role: "cluster-admin", subjects: [group(UserInfo.masterGroup)]),
            Binding(name: "system:discovery", role: "system:discovery", subjects: [group("system:authenticated")]),
            Binding(name: "system:basic-user", role: "system:basic-user", subjects: [group("system:authenticated")]),
            Binding(name: "system:public-info-viewer", role: "system:public-info-viewer",
                    subjects: [group("system:authenticated"), group("system:unauthenticated")]),
            Binding(name: "system:monitoring", role: "system:monitoring", subjects: [group("system:monitoring")]),
            Binding(name: "system:kube-scheduler", role: "system:kube-scheduler", subjects: [user("system:kube-scheduler")]),
            Binding(name: "system:volume-scheduler", role: "system:volume-scheduler", subjects: [user("system:kube-scheduler")]),
            Binding(name: "system:kube-controller-manager", role: "system:kube-controller-manager", subjects: [user("system:kube-controller-manager")]),
            Binding(name: "system:node-proxier", role: "system:node-proxier", subjects: [user("system:kube-proxy")]),
            Binding(name: "system:kube-dns", role: "system:kube-dns", subjects: [serviceAccount("kube-system", "kube-dns")]),
            // kubeadm's bindings for TLS bootstrapping: joiners submit CSRs that are approved automatically,
            // and nodes renew their own client certificates.
            Binding(name: "kubeadm:get-nodes", role: "kubeadm:get-nodes", subjects: [group("system:bootstrappers")]),
            Binding(name: "kubeadm:kubelet-bootstrap", role: "system:node-bootstrapper", subjects: [group("system:bootstrappers")]),
            Binding(name: "kubeadm:node-autoapprove-bootstrap", role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                    subjects: [group("system:bootstrappers")]),
            Binding(name: "kubeadm:node-autoapprove-certificate-rotation",
                    role: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", subjects: [group("system:nodes")]),
        ] + BootstrapControllerRoles.all.map { c in
            Binding(name: "system:controller:" + c.0, role: "system:controller:" + c.0,
                    subjects: [serviceAccount("kube-system", c.0), user(BootstrapControllerRoles.user)])
        }
    }

    /// kubeadm's Role and RoleBinding that let a joining machine read kube-public/cluster-info with no credentials.
    static var roleBindings: [Binding] {
        [Binding(name: clusterInfoRole, role: clusterInfoRole, subjects: [user("system:anonymous"), group("system:bootstrappers")],
                 namespace: "kube-public")]
    }

    static let clusterInfoRules = [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-info"])]
}
