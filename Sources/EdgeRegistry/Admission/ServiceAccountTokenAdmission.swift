import EdgeAPI

/// The part of upstream's ServiceAccount plugin that mounts credentials:
/// unless the pod or its account sets `automountServiceAccountToken: false`,
/// a pod gets the projected kube-api-access volume (ServiceAccountTokenVolume)
/// mounted in every container. A step of its own, after ServiceAccount, that
/// the server adds where it issues tokens and publishes kube-root-ca.crt (an
/// API server without them, as the unit tests' in-process one, leaves pods be).
public struct ServiceAccountTokenAdmission: MutatingAdmissionStep {
    public let name = "ServiceAccountToken"
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        guard request.operation == .create, request.isCore("pods"), var pod = request.object,
              pod[path: ["metadata", "annotations", NodeRestriction.mirrorPodAnnotation]] == nil else { return }
        if let own = pod[path: ["spec", "automountServiceAccountToken"]]?.bool {
            if !own { return }
        } else {
            let account = pod[path: ["spec", "serviceAccountName"]]?.string ?? "default"
            let sa = try? await store.getIfExists(BuiltinResources.serviceAccounts, namespace: request.namespace, name: account)
            if (sa ?? nil)?["automountServiceAccountToken"]?.bool == false { return }
        }
        ServiceAccountTokenVolume.add(to: &pod)
        request.object = pod
    }
}
