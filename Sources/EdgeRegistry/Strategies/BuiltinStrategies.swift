import EdgeAPI

/// The strategies of the built-in resources, in BuiltinResources' order (the
/// order discovery lists them): what a new ResourceCatalog starts with.
public enum BuiltinStrategies {
    public static func all(services: ServiceAllocator) -> [any ResourceStrategy] {
        let strategies: [any ResourceStrategy] = [
            NamespaceStrategy(), PodStrategy(), ServiceStrategy(allocator: services), EndpointsStrategy(), ConfigMapStrategy(),
            SecretStrategy(), ServiceAccountStrategy(), NodeStrategy(), EventStrategy(), ReplicationControllerStrategy(),
            APIServiceStrategy(),
            DeploymentStrategy(), ReplicaSetStrategy(), DaemonSetStrategy(), StatefulSetStrategy(),
            HorizontalPodAutoscalerStrategy(),
            JobStrategy(), CronJobStrategy(),
            CertificateSigningRequestStrategy(),
            CustomResourceDefinitionStrategy(),
            LeaseStrategy(),
            EndpointSliceStrategy(),
            RoleStrategy(), ClusterRoleStrategy(), RoleBindingStrategy(), ClusterRoleBindingStrategy(),
        ] + [BuiltinResources.selfSubjectAccessReviews, BuiltinResources.selfSubjectRulesReviews, BuiltinResources.subjectAccessReviews,
             BuiltinResources.localSubjectAccessReviews, BuiltinResources.tokenReviews, BuiltinResources.selfSubjectReviews]
            .map { ReviewStrategy($0) }
        // Every built-in resource has its strategy, in the same order.
        assert(strategies.map(\.resource) == BuiltinResources.all)
        return strategies
    }

    /// A catalog serving the built-in resources.
    public static func catalog(services: ServiceAllocator) -> ResourceCatalog {
        ResourceCatalog(all(services: services))
    }
}
