import EdgeAPI
import EdgeClient

/// ConfigMaps, Secrets and service account tokens a pod refers to, fetched by
/// name (a node may not list them) and remembered for one sync.
final class PodObjects: @unchecked Sendable {
    static let configMaps = BuiltinResources.configMaps
    static let secrets = BuiltinResources.secrets
    static let serviceAccounts = BuiltinResources.serviceAccounts

    let client: APIClient
    let namespace: String
    private var cache: [String: JSON?] = [:]

    init(client: APIClient, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    struct Missing: Error, CustomStringConvertible { let description: String }

    private var serviceVariables: [(String, String)]?

    /// The service link variables of the pod's containers (ServiceEnvironment), read once per sync.
    func serviceEnvironment(pod: JSON) async throws -> [(String, String)] {
        if let v = serviceVariables { return v }
        let links = pod[path: ["spec", "enableServiceLinks"]]?.bool != false
        let services = links ? try await client.list(BuiltinResources.services, namespace: namespace).items : []
        let master = try await client.getIfExists(BuiltinResources.services, namespace: "default", name: "kubernetes")
        let v = ServiceEnvironment.variables(pod: pod, namespaceServices: services, masterService: master)
        serviceVariables = v
        return v
    }

    /// The object, nil when it does not exist.
    func get(_ kind: String, _ name: String) async throws -> JSON? {
        let key = kind + "/" + name
        if let hit = cache[key] { return hit }
        let r = kind == "secret" ? Self.secrets : Self.configMaps
        let obj = try await client.getIfExists(r, namespace: namespace, name: name)
        cache[key] = .some(obj)
        return obj
    }

    /// key -> bytes of a ConfigMap (data and binaryData) or Secret (data, base64), nil when absent.
    func data(_ kind: String, _ name: String) async throws -> [(String, [UInt8])]? {
        guard let obj = try await get(kind, name) else { return nil }
        var out: [(String, [UInt8])] = []
        if kind == "secret" {
            for (k, v) in obj["data"]?.object ?? JSONObject() { out.append((k, Base64.decode(v.string ?? "") ?? [])) }
        } else {
            for (k, v) in obj["data"]?.object ?? JSONObject() { out.append((k, Array((v.string ?? "").utf8))) }
            for (k, v) in obj["binaryData"]?.object ?? JSONObject() { out.append((k, Base64.decode(v.string ?? "") ?? [])) }
        }
        return out
    }

    /// A token for the pod's service account, bound to the pod (TokenRequest).
    func serviceAccountToken(pod: JSON, audience: String?, expirationSeconds: Int64) async throws -> String {
        let sa = pod[path: ["spec", "serviceAccountName"]]?.string ?? "default"
        var spec: JSON = ["expirationSeconds": .int(expirationSeconds),
                          "boundObjectRef": ["kind": "Pod", "apiVersion": "v1", "name": pod[path: ["metadata", "name"]] ?? "",
                                             "uid": pod[path: ["metadata", "uid"]] ?? ""]]
        if let audience { spec["audiences"] = [.string(audience)] }
        let res = try await client.post(Self.serviceAccounts, namespace: namespace, name: sa, subresource: "token",
                                        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec])
        guard let token = res[path: ["status", "token"]]?.string else { throw Missing(description: "no token issued for service account \(sa)") }
        return token
    }
}
