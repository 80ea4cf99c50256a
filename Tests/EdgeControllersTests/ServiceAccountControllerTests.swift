import XCTest
import EdgeAPI
@testable import EdgeControllers

final class ServiceAccountControllerTests: XCTestCase {
    func testEveryNamespaceGetsADefaultAccountThatComesBack() async throws {
        let c = try await TestCluster([ServiceAccountController()])
        c.start()
        defer { c.stop() }
        let sas = BuiltinResources.serviceAccounts
        _ = try await c.client.create(BuiltinResources.namespaces, namespace: nil,
                                      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]])
        for ns in ["default", "kube-system", "team-a"] {
            try await c.eventually("default account in \(ns)") { try await c.client.getIfExists(sas, namespace: ns, name: "default") != nil }
        }
        let first = try await c.client.get(sas, namespace: "team-a", name: "default")[path: ["metadata", "uid"]]
        try await c.client.delete(sas, namespace: "team-a", name: "default")
        try await c.eventually("recreated") {
            let again = try await c.client.getIfExists(sas, namespace: "team-a", name: "default")
            return again != nil && again?[path: ["metadata", "uid"]] != first
        }
    }
}
