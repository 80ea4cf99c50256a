import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

final class ServiceAccountTokenAdmissionTests: XCTestCase {
    func store() throws -> ObjectStore {
        var chain = AdmissionChain.standard
        chain.add(ServiceAccountTokenAdmission(), before: "NodeRestriction")
        return ObjectStore(backend: MemoryBackend(), catalog: BuiltinStrategies.catalog(services: try ServiceAllocator()), admission: chain)
    }

    func pod(_ name: String, automount: Bool? = nil, account: String? = nil) -> JSON {
        var spec: JSON = ["containers": [["name": "c", "image": "busybox"]], "initContainers": [["name": "i", "image": "busybox"]]]
        if let automount { spec["automountServiceAccountToken"] = .bool(automount) }
        if let account { spec["serviceAccountName"] = .string(account) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
    }

    func testPodsGetTheKubeAPIAccessVolumeUnlessTheyOrTheirAccountOptOut() async throws {
        let s = try store()
        _ = try await s.create(BuiltinResources.namespaces, namespace: nil, object: ["metadata": ["name": "default"]], context: .apiServer)
        _ = try await s.create(BuiltinResources.serviceAccounts, namespace: "default",
                               object: ["metadata": ["name": "quiet"], "automountServiceAccountToken": false], context: .apiServer)
        let (p, _) = try await s.create(BuiltinResources.pods, namespace: "default", object: pod("a"), context: .apiServer)
        let volume = p[path: ["spec", "volumes"]]?.array?.first
        let name = volume?["name"]?.string ?? ""
        XCTAssertTrue(name.hasPrefix("kube-api-access-") && name.count == "kube-api-access-".count + 5, name)
        let sources = volume?[path: ["projected", "sources"]]?.array ?? []
        XCTAssertEqual(sources.first?[path: ["serviceAccountToken", "expirationSeconds"]], 3607)
        XCTAssertEqual(sources.dropFirst().first?[path: ["configMap", "name"]], "kube-root-ca.crt")
        for list in ["containers", "initContainers"] {
            XCTAssertEqual(p[path: ["spec", list]]?.array?.first?["volumeMounts"],
                           [["name": .string(name), "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"]])
        }
        let (off, _) = try await s.create(BuiltinResources.pods, namespace: "default", object: pod("b", automount: false), context: .apiServer)
        XCTAssertNil(off[path: ["spec", "volumes"]])
        let (quiet, _) = try await s.create(BuiltinResources.pods, namespace: "default", object: pod("c", account: "quiet"), context: .apiServer)
        XCTAssertNil(quiet[path: ["spec", "volumes"]])
        let (forced, _) = try await s.create(BuiltinResources.pods, namespace: "default", object: pod("d", automount: true, account: "quiet"),
                                             context: .apiServer)
        XCTAssertEqual(forced[path: ["spec", "volumes"]]?.array?.count, 1, "the pod's own setting wins over its account's")
    }
}
