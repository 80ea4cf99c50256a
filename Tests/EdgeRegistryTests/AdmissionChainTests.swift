import XCTest
import EdgeAPI
import EdgeStore
import Synchronization
@testable import EdgeRegistry

/// The admission chain runs every mutating step in order, then every validating step on the
/// final object, inside the store's write paths, with the write's context (who writes).
final class AdmissionChainTests: XCTestCase {
    /// Records what it saw; mutating adds a label, validating refuses a label value.
    struct Recorder: MutatingAdmissionStep, ValidatingAdmissionStep {
        let name: String
        let log: Log
        func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
            log.append("\(name).admit \(request.operation.rawValue) \(request.user.name)")
            if request.operation != .delete { request.object?[path: ["metadata", "labels", name]] = "seen" }
        }
        func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws {
            log.append("\(name).validate \(request.object?[path: ["metadata", "labels"]]?.object?.count ?? 0)")
            if request.object?[path: ["metadata", "labels", "forbidden"]] != nil {
                throw APIError.forbidden("configmaps \"x\" is forbidden: \(name) says no")
            }
        }
    }

    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ s: String) { entries.withLock { $0.append(s) } }
        var all: [String] { entries.withLock { $0 } }
    }

    func store(_ steps: [any AdmissionStep]) throws -> ObjectStore {
        ObjectStore(backend: MemoryBackend(), catalog: BuiltinStrategies.catalog(services: try ServiceAllocator()), admission: AdmissionChain(steps))
    }

    let alice = WriteContext(user: UserInfo(name: "alice", groups: ["dev"]), fieldManager: "kubectl")

    func testMutatingStepsRunInOrderBeforeValidatingStepsSeeTheFinalObject() async throws {
        let log = Log()
        let s = try store([Recorder(name: "first", log: log), Recorder(name: "second", log: log)])
        let (obj, _) = try await s.create(BuiltinResources.configMaps, namespace: "default",
                                          object: ["metadata": ["name": "c"], "data": ["k": "v"]], context: alice)
        XCTAssertEqual(obj[path: ["metadata", "labels"]], ["first": "seen", "second": "seen"])
        XCTAssertEqual(log.all, ["first.admit CREATE alice", "second.admit CREATE alice", "first.validate 2", "second.validate 2"])
    }

    func testARefusalStopsTheWriteAndNothingIsStored() async throws {
        let log = Log()
        let s = try store([Recorder(name: "gate", log: log)])
        _ = try await s.create(BuiltinResources.configMaps, namespace: "default", object: ["metadata": ["name": "c"]], context: alice)
        do {
            _ = try await s.guaranteedUpdate(BuiltinResources.configMaps, namespace: "default", name: "c", context: alice) { old in
                var new = old
                new[path: ["metadata", "labels", "forbidden"]] = "yes"
                return (new, false)
            }
            XCTFail("refused")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 403)
        }
        let stored = try await s.get(BuiltinResources.configMaps, namespace: "default", name: "c")
        XCTAssertNil(stored[path: ["metadata", "labels", "forbidden"]])
        XCTAssertTrue(log.all.contains("gate.admit UPDATE alice"))
    }

    func testDeletesPassAdmissionWithTheStoredObject() async throws {
        struct NoDeletes: ValidatingAdmissionStep {
            let name = "NoDeletes"
            func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws {
                if request.operation == .delete, request.oldObject?[path: ["metadata", "name"]] == "keep" {
                    throw APIError.forbidden("no")
                }
            }
        }
        let s = try store([NoDeletes()])
        _ = try await s.create(BuiltinResources.configMaps, namespace: "default", object: ["metadata": ["name": "keep"]], context: alice)
        do {
            _ = try await s.delete(BuiltinResources.configMaps, namespace: "default", name: "keep", options: DeleteOptions(), context: alice)
            XCTFail("refused")
        } catch let e as APIError { XCTAssertEqual(e.code, 403) }
        let kept = try await s.getIfExists(BuiltinResources.configMaps, namespace: "default", name: "keep")
        XCTAssertNotNil(kept)
    }

    func testStepsCanBeAddedBeforeANamedOne() {
        var chain = AdmissionChain.standard
        let log = Log()
        chain.add(Recorder(name: "Extra", log: log), before: "ServiceAccount")
        XCTAssertEqual(chain.steps.map(\.name), ["NamespaceLifecycle", "Extra", "ServiceAccount", "NodeRestriction", "DefaultTolerationSeconds",
                                                 "PodSecurity"])
    }
}
