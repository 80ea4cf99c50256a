import EdgeAPI

extension PodManager {
    /// The registry credentials the pod's imagePullSecrets offer for `image`
    /// (the ServiceAccount's were copied into the pod at admission). As the
    /// kubelet does, a secret that cannot be read is reported with a Warning
    /// event and the pull goes on without it; a secret that reads but is
    /// malformed fails the pull with a message naming it.
    func pullCredentials(_ pod: JSON, image: String, objects: PodObjects) async throws -> [RegistryCredential] {
        let names = (pod[path: ["spec", "imagePullSecrets"]]?.array ?? []).compactMap { $0["name"]?.string }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return [] }
        var keyring = PullSecretKeyring()
        var unavailable: [String] = []
        for name in names {
            // Missing, or refused by the API server: either way the kubelet goes on without it.
            guard let secret = try? await objects.get("secret", name) else { unavailable.append(name); continue }
            try keyring.add(secret: secret)
        }
        if !unavailable.isEmpty {
            await events.record(pod, type: "Warning", reason: "FailedToRetrieveImagePullSecret",
                                message: "Unable to retrieve some image pull secrets (\(unavailable.joined(separator: ", "))); attempting to pull the image may not succeed.")
        }
        return keyring.credentials(for: image)
    }
}
