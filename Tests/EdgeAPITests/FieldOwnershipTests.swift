import XCTest
@testable import EdgeAPI

/// Server-side apply's field bookkeeping on built-in types: FieldsV1 as
/// upstream writes it, list merge by list type, conflicts, removal of what a
/// manager stops applying.
final class FieldOwnershipTests: XCTestCase {
    let deployments = BuiltinResources.deployments
    var schema: (any TypeSchemaNode)? { BuiltinTypeSchema.root(for: deployments) }
    let now: JSON = "2026-12-05T12:00:00Z"
    let kubectl = ManagedFieldsKeyFixture.apply("kubectl")

    func parse(_ s: String) -> JSON { try! JSONParser.parse(s) }

    func deployment(replicas: Int64 = 1, image: String = "nginx:1", env: JSON = [["name": "A", "value": "1"]],
                    ports: JSON = [["containerPort": 80]]) -> JSON {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web"]],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"]],
                    "spec": ["containers": [["name": "web", "image": .string(image), "env": env, "ports": ports]]],
                ],
            ],
        ]
    }

    func testFieldsV1OfAnAppliedDeploymentIsUpstreamsEncoding() throws {
        let set = try FieldSetBuilder.fieldSet(of: deployment(), schema: schema).subtracting(FieldOwnership.ignored)
        let text = JSONSerializer.string(set.fieldsV1)
        XCTAssertEqual(text, #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"# +
            #""f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"# +
            #""f:env":{"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"# +
            #""f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}"#)
        XCTAssertEqual(FieldSet(fieldsV1: set.fieldsV1), set, "FieldsV1 reads back")
    }

    func testFieldsV1RefusesUnknownKeys() {
        XCTAssertNil(FieldSet(fieldsV1: parse(#"{"x:foo":{}}"#)))
        XCTAssertNil(FieldSet(fieldsV1: parse(#"{"f:foo":3}"#)))
        XCTAssertNotNil(FieldSet(fieldsV1: parse(#"{"f:a":{".":{},"i:0":{},"v:\"x\"":{}}}"#)))
    }

    func testUpdateOwnsWhatItChangedAndTakesItFromOthers() {
        var managers = ManagedFieldSets()
        let creator = ManagedFieldSets.Key(manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1")
        FieldOwnership.update(old: nil, new: deployment(), managers: &managers, key: creator, apiVersion: "apps/v1", time: now, schema: schema)
        let created = managers[creator]!.fields
        XCTAssertTrue(created.contains(["f:metadata", "f:labels"]), "a map that appears is itself a field (\".\")")
        XCTAssertFalse(created.contains(["f:spec"]), "a struct every Deployment holds is not")
        XCTAssertTrue(created.contains(["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#]))

        let scaler = ManagedFieldSets.Key(manager: "kubectl-scale", operation: "Update", apiVersion: "apps/v1", subresource: "scale")
        FieldOwnership.update(old: deployment(), new: deployment(replicas: 3), managers: &managers, key: scaler,
                              apiVersion: "apps/v1", time: now, schema: schema)
        XCTAssertEqual(managers[scaler]!.fields.paths(), [["f:spec", "f:replicas"]])
        XCTAssertFalse(managers[creator]!.fields.contains(["f:spec", "f:replicas"]))
    }

    func testApplyConflictsWithAnotherManagerUnlessForced() throws {
        var managers = ManagedFieldSets()
        let other = ManagedFieldSets.Key(manager: "kubectl-client-side-apply", operation: "Update", apiVersion: "apps/v1")
        FieldOwnership.update(old: nil, new: deployment(), managers: &managers, key: other, apiVersion: "apps/v1", time: now, schema: schema)
        let live = deployment()
        // Same values: shared ownership, no conflict.
        var shared = managers
        _ = try FieldOwnership.apply(live: live, config: deployment(), managers: &shared, key: kubectl, apiVersion: "apps/v1",
                                     time: now, force: false, schema: schema)
        XCTAssertTrue(shared[other]!.fields.contains(["f:spec", "f:replicas"]))
        XCTAssertTrue(shared[kubectl]!.fields.contains(["f:spec", "f:replicas"]))
        // A different replicas and image: 409's two causes, in upstream's words.
        var m = managers
        XCTAssertThrowsError(try FieldOwnership.apply(live: live, config: deployment(replicas: 5, image: "nginx:2"), managers: &m,
                                                      key: kubectl, apiVersion: "apps/v1", time: now, force: false, schema: schema)) { e in
            let c = e as! FieldOwnership.Conflicts
            XCTAssertEqual(c.message, """
                Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:
                - .spec.replicas
                - .spec.template.spec.containers[name="web"].image
                """)
        }
        let forced = try FieldOwnership.apply(live: live, config: deployment(replicas: 5, image: "nginx:2"), managers: &m,
                                              key: kubectl, apiVersion: "apps/v1", time: now, force: true, schema: schema)
        XCTAssertEqual(forced[path: ["spec", "replicas"]], 5)
        XCTAssertFalse(m[other]!.fields.contains(["f:spec", "f:replicas"]), "forcing takes the field")
        let one = FieldOwnership.Conflicts(items: [(other, ["f:spec", "f:replicas"])])
        XCTAssertEqual(one.message, #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
    }

    func testMapListsMergeByKeyAndAtomicListsAreReplaced() throws {
        var managers = ManagedFieldSets()
        let a = ManagedFieldSets.Key(manager: "a", operation: "Apply", apiVersion: "")
        let b = ManagedFieldSets.Key(manager: "b", operation: "Apply", apiVersion: "")
        let live = try FieldOwnership.apply(live: nil, config: deployment(), managers: &managers, key: a, apiVersion: "apps/v1",
                                            time: now, force: false, schema: schema)
        // b adds an env var and a port (80/UDP is not 80/TCP) to the same container.
        let partial = parse(#"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[
             {"name":"web","env":[{"name":"B","value":"2"}],"ports":[{"containerPort":80,"protocol":"UDP"}],"args":["x"]}]}}}}
            """#)
        let merged = try FieldOwnership.apply(live: live, config: partial, managers: &managers, key: b, apiVersion: "apps/v1",
                                              time: now, force: false, schema: schema)
        let c = merged[path: ["spec", "template", "spec", "containers"]]!.array![0]
        XCTAssertEqual(c["env"]!.array!.compactMap { $0["name"]?.string }, ["A", "B"])
        XCTAssertEqual(c["ports"]!.array!.count, 2)
        XCTAssertEqual(c["image"], "nginx:1")
        XCTAssertEqual(c["args"], ["x"])
    }

    func testApplyRemovesFieldsTheManagerStoppedApplying() throws {
        var managers = ManagedFieldSets()
        var first = deployment(env: [["name": "A", "value": "1"], ["name": "B", "value": "2"]])
        first[path: ["metadata", "labels", "tier"]] = "front"
        let live = try FieldOwnership.apply(live: nil, config: first, managers: &managers, key: kubectl, apiVersion: "apps/v1",
                                            time: now, force: false, schema: schema)
        // Someone else owns label tier too: it stays; env B and nobody else's: it goes.
        var shared = managers
        let other = ManagedFieldSets.Key(manager: "labeler", operation: "Apply", apiVersion: "")
        var labels = FieldSet()
        labels.insert(["f:metadata", "f:labels", "f:tier"])
        shared[other] = .init(apiVersion: "apps/v1", time: now, fields: labels)
        let second = try FieldOwnership.apply(live: live, config: deployment(), managers: &shared, key: kubectl, apiVersion: "apps/v1",
                                              time: now, force: false, schema: schema)
        XCTAssertEqual(second[path: ["metadata", "labels", "tier"]], "front")
        XCTAssertEqual(second[path: ["spec", "template", "spec", "containers"]]!.array![0]["env"]!.array!.count, 1)
        var alone = managers
        let third = try FieldOwnership.apply(live: live, config: deployment(), managers: &alone, key: kubectl, apiVersion: "apps/v1",
                                             time: now, force: false, schema: schema)
        XCTAssertNil(third[path: ["metadata", "labels", "tier"]])
    }

    func testUndeclaredFieldsAreNamedAsUpstream() {
        var d = deployment()
        d[path: ["spec", "replicass"]] = 2
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "web", "image": "x", "imagee": "y"]]
        XCTAssertEqual(Set(UndeclaredFields.find(in: d, schema: schema)),
                       [".spec.template.spec.containers[name=\"web\"].imagee", ".spec.replicass"])
        XCTAssertEqual(UndeclaredFields.find(in: deployment(), schema: schema), [])
    }

    func testApplyRefusesAListItCannotKey() {
        var managers = ManagedFieldSets()
        let bad = deployment(env: [["value": "1"]])
        XCTAssertThrowsError(try FieldOwnership.apply(live: nil, config: bad, managers: &managers, key: kubectl, apiVersion: "apps/v1",
                                                      time: now, force: false, schema: schema)) { e in
            XCTAssertEqual((e as? FieldSetBuilder.InvalidList)?.message,
                           ".spec.template.spec.containers[0].env: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)")
        }
    }

    func testManagedFieldsEncodeSortedAndResetIsRecognised() {
        var managers = ManagedFieldSets()
        var f = FieldSet()
        f.insert(["f:data", "f:a"])
        managers[ManagedFieldSets.Key(manager: "z", operation: "Update", apiVersion: "v1")] = .init(apiVersion: "v1", time: now, fields: f)
        managers[ManagedFieldSets.Key(manager: "kubectl", operation: "Apply", apiVersion: "v1")] = .init(apiVersion: "v1", time: now, fields: f)
        let json = managers.json!
        XCTAssertEqual(json.array!.map { $0["manager"]!.string! }, ["kubectl", "z"], "Apply before Update")
        XCTAssertEqual(JSONSerializer.string(json.array![1]),
                       #"{"manager":"z","operation":"Update","apiVersion":"v1","time":"2026-12-05T12:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}}"#)
        XCTAssertEqual(ManagedFieldSets(json), managers)
        XCTAssertTrue(ManagedFieldSets.isReset([[:]]))
        XCTAssertTrue(ManagedFieldSets.isReset([]))
        XCTAssertFalse(ManagedFieldSets.isReset(nil))
        XCTAssertNil(ManagedFieldSets(parse(#"[{"manager":"x","operation":"Bogus","fieldsType":"FieldsV1"}]"#)))
    }
}

enum ManagedFieldsKeyFixture {
    static func apply(_ m: String) -> ManagedFieldSets.Key { ManagedFieldSets.Key(manager: m, operation: "Apply", apiVersion: "") }
}

/// The OpenAPI (CRD structural schema) view: list types and map types from the markers.
final class OpenAPITypeSchemaTests: XCTestCase {
    func testMarkersDecideMerge() throws {
        let schema: JSON = ["type": "object", "properties": [
            "spec": ["type": "object", "properties": [
                "hosts": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
                "rules": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"],
                          "items": ["type": "object", "properties": ["name": ["type": "string"],
                                                                     "port": ["type": "integer", "default": 80]]]],
                "selector": ["type": "object", "x-kubernetes-map-type": "atomic", "additionalProperties": ["type": "string"]],
                "args": ["type": "array", "items": ["type": "string"]],
            ]],
        ]]
        let node = OpenAPITypeSchema(schema, root: true)
        XCTAssertEqual(UndeclaredFields.find(in: ["apiVersion": "x/v1", "kind": "K", "metadata": ["name": "a", "labels": ["b": "c"]],
                                                  "spec": ["hosts": ["a"], "bogus": 1]], schema: node), [".spec.bogus"])
        let live: JSON = ["spec": ["hosts": ["a"], "rules": [["name": "x", "v": 1]], "selector": ["a": "1"], "args": ["p"]]]
        let config: JSON = ["spec": ["hosts": ["b"], "rules": [["name": "y"]], "selector": ["b": "2"], "args": ["q"]]]
        let merged = ApplyMerge.merge(live, config, schema: node)
        XCTAssertEqual(merged[path: ["spec", "hosts"]], ["a", "b"])
        XCTAssertEqual(merged[path: ["spec", "rules"]]!.array!.count, 2)
        XCTAssertEqual(merged[path: ["spec", "selector"]], ["b": "2"], "an atomic map is replaced")
        XCTAssertEqual(merged[path: ["spec", "args"]], ["q"], "lists without a marker are atomic")
        let set = try FieldSetBuilder.fieldSet(of: config, schema: node)
        XCTAssertTrue(set.contains(["f:spec", "f:rules", #"k:{"name":"y","port":80}"#]), "a key's default fills it in")
        XCTAssertTrue(set.contains(["f:spec", "f:hosts", #"v:"b""#]))
        XCTAssertTrue(set.contains(["f:spec", "f:selector"]))
    }
}

final class UpdateManagerCapTests: XCTestCase {
    func testOldestUpdatesMergeIntoAncientChanges() {
        var managers = ManagedFieldSets()
        for i in 0..<12 {
            var f = FieldSet()
            f.insert(["f:data", "f:k\(i)"])
            let key = ManagedFieldSets.Key(manager: "m\(i)", operation: "Update", apiVersion: "v1")
            managers[key] = .init(apiVersion: "v1", time: .string("2026-12-05T12:00:\(10 + i)Z"), fields: f)
        }
        UpdateManagerCap.apply(&managers)
        XCTAssertEqual(managers.entries.count, 10)
        let bucket = managers[ManagedFieldSets.Key(manager: "ancient-changes", operation: "Update", apiVersion: "v1")]!
        XCTAssertEqual(bucket.fields.paths(), [["f:data", "f:k0"], ["f:data", "f:k1"], ["f:data", "f:k2"]])
        XCTAssertEqual(bucket.time, "2026-12-05T12:00:12Z")
        XCTAssertNil(managers[ManagedFieldSets.Key(manager: "m2", operation: "Update", apiVersion: "v1")])
        XCTAssertNotNil(managers[ManagedFieldSets.Key(manager: "m3", operation: "Update", apiVersion: "v1")])
    }
}
