import EdgeAPI

/// The credentials a pod's pull secrets offer for an image, in the kubelet's
/// order: secrets in the order the pod lists them, and within one secret the
/// most specific key (longest path) first.
struct PullSecretKeyring: Sendable {
    struct Source: Sendable {
        /// "NAMESPACE/NAME", for messages.
        var secret: String
        var auths: DockerConfigAuths
    }

    private(set) var sources: [Source] = []

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// Adds a Secret object; types that hold no registry credentials are skipped, as upstream does.
    mutating func add(secret: JSON) throws {
        let ns = secret[path: ["metadata", "namespace"]]?.string ?? ""
        let name = ns + "/" + (secret[path: ["metadata", "name"]]?.string ?? "")
        let (key, wrapped): (String, Bool)
        switch secret["type"]?.string {
        case "kubernetes.io/dockerconfigjson": (key, wrapped) = (".dockerconfigjson", true)
        case "kubernetes.io/dockercfg": (key, wrapped) = (".dockercfg", false)
        default: return
        }
        guard let encoded = secret[path: ["data", key]]?.string, !encoded.isEmpty else { return }
        guard let bytes = Base64.decode(encoded) else { throw Invalid(description: "secret \(name): \(key) is not base64") }
        do {
            sources.append(Source(secret: name, auths: try DockerConfigAuths.parse(bytes, wrapped: wrapped)))
        } catch {
            throw Invalid(description: "secret \(name): \(key) \(error); recreate it with kubectl create secret docker-registry")
        }
    }

    /// Credentials to try for `image`, in order; empty: pull anonymously.
    func credentials(for image: String) -> [RegistryCredential] {
        var out: [RegistryCredential] = []
        for source in sources {
            let matching = source.auths.entries.map { ($0, RegistryKeyPattern(key: $0.key)) }
                .filter { $0.1.matches(image: image) && !($0.0.username.isEmpty && $0.0.password.isEmpty) }
            // A stable sort keeps the secret's own order among equally specific keys.
            let ordered = matching.enumerated().sorted { a, b in
                a.element.1.path.count != b.element.1.path.count ? a.element.1.path.count > b.element.1.path.count : a.offset < b.offset
            }
            for (_, (entry, _)) in ordered {
                let credential = RegistryCredential(username: entry.username, password: entry.password, source: "secret " + source.secret)
                if !out.contains(credential) { out.append(credential) }
            }
        }
        return out
    }
}
