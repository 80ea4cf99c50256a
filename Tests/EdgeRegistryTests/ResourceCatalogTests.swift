import XCTest
import EdgeAPI
@testable import EdgeRegistry

final class ResourceCatalogTests: XCTestCase {
    struct Widgets: ResourceStrategy {
        var resource = ResourceInfo(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)
        var selectableFields: [String] = []
    }

    func testBuiltinCatalogServesEveryBuiltinResourceInDiscoveryOrder() throws {
        let catalog = BuiltinStrategies.catalog(services: try ServiceAllocator())
        XCTAssertEqual(catalog.snapshot.resources, BuiltinResources.all)
        XCTAssertEqual(catalog.snapshot.groupVersions.first?.group, "")
        XCTAssertNotNil(catalog.strategy(group: "apps", version: "v1", plural: "deployments") as? DeploymentStrategy)
        XCTAssertEqual(catalog.resource(apiVersion: "v1", kind: "ReplicationController"), BuiltinResources.replicationControllers)
        XCTAssertNil(catalog.strategy(group: "apps", version: "v1", plural: "widgets"))
    }

    func testRegisterAndRemoveChangeTheVersionAndWhatIsServed() throws {
        let catalog = ResourceCatalog([PodStrategy()])
        let before = catalog.snapshot
        let v = catalog.register(Widgets())
        XCTAssertGreaterThan(v, before.version)
        XCTAssertNotNil(catalog.strategy(group: "example.com", version: "v1", plural: "widgets"))
        XCTAssertNil(before.strategy(group: "example.com", version: "v1", plural: "widgets"), "a snapshot does not change")
        XCTAssertEqual(catalog.snapshot.groupVersions.map(\.group), ["", "example.com"])

        // Registering the same group/version/plural again replaces it (a definition that changed).
        catalog.register(Widgets(selectableFields: ["spec.color"]))
        XCTAssertEqual(catalog.snapshot.resources.count, 2)
        XCTAssertEqual(catalog.strategy(group: "example.com", version: "v1", plural: "widgets")?.selectableFields, ["spec.color"])

        XCTAssertTrue(catalog.remove(group: "example.com", version: "v1", plural: "widgets"))
        XCTAssertFalse(catalog.remove(group: "example.com", version: "v1", plural: "widgets"))
        XCTAssertNil(catalog.strategy(group: "example.com", version: "v1", plural: "widgets"))
        XCTAssertThrowsError(try catalog.strategy(for: Widgets().resource)) { e in
            XCTAssertEqual((e as? APIError)?.code, 404)
        }
    }
}
