import XCTest
@testable import EdgeAPI

/// Decoding as upstream's typed decoding: a number that does not fit its
/// field is refused with Go's message, for every integer field the schema knows.
final class TypedDecodeCheckTests: XCTestCase {
    let schema = APISchema.shared

    func check(_ doc: JSON, _ apiVersion: String, _ kind: String) -> DecodeReport {
        let m = ProtobufSchema.shared.messageName(apiVersion: apiVersion, kind: kind)!
        return schema.checkDecoding(doc, message: m)
    }

    func testOutOfRangeInt32IsRefusedWithGosMessage() {
        let rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "x"], "spec": ["replicas": 2147483648]]
        XCTAssertEqual(check(rs, "apps/v1", "ReplicaSet").typeError,
                       "json: cannot unmarshal number 2147483648 into Go struct field ReplicaSetSpec.spec.replicas of type int32")
        let job: JSON = ["spec": ["ttlSecondsAfterFinished": .int(.max)]]
        XCTAssertEqual(check(job, "batch/v1", "Job").typeError,
                       "json: cannot unmarshal number 9223372036854775807 into Go struct field JobSpec.spec.ttlSecondsAfterFinished of type int32")
        XCTAssertNil(check(["spec": ["replicas": .int(Int64(Int32.max))]], "apps/v1", "ReplicaSet").typeError)
        XCTAssertNil(check(["spec": ["replicas": .int(Int64(Int32.min))]], "apps/v1", "ReplicaSet").typeError, "ranges are validation's job")
    }

    func testInt64FieldsTakeInt64AndNoMore() {
        let pod: JSON = ["spec": ["terminationGracePeriodSeconds": .int(.max), "containers": [["name": "c"]]]]
        XCTAssertNil(check(pod, "v1", "Pod").typeError)
        let past: JSON = ["spec": ["terminationGracePeriodSeconds": .double(9223372036854775808.0)]]
        XCTAssertEqual(check(past, "v1", "Pod").typeError,
                       "json: cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64")
    }

    func testPathsLeaveOutIndexesAndNameTheInnermostStruct() {
        let pod: JSON = ["spec": ["containers": [["name": "a"], ["name": "b", "ports": [["containerPort": 1.5]]]]]]
        XCTAssertEqual(check(pod, "v1", "Pod").typeError,
                       "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32")
    }

    func testWrongJSONTypes() {
        XCTAssertEqual(check(["spec": ["replicas": "3"]], "apps/v1", "Deployment").typeError,
                       "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
        XCTAssertEqual(check(["spec": "x"], "apps/v1", "Deployment").typeError,
                       "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec")
        XCTAssertEqual(check(["metadata": ["labels": ["a": 1]]], "v1", "ConfigMap").typeError,
                       "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")
        XCTAssertEqual(check(["spec": ["containers": [["args": [true]]]]], "v1", "Pod").typeError,
                       "json: cannot unmarshal bool into Go struct field Container.spec.containers.args of type string")
        XCTAssertEqual(check(["spec": ["containers": ["x"]]], "v1", "Pod").typeError,
                       "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container")
        XCTAssertNil(check(["spec": ["containers": nil, "replicas": nil]], "v1", "Pod").typeError, "null is every type's zero value")
    }

    func testIntOrStringTakesAnInt32OrAString() {
        func svc(_ target: JSON) -> JSON { ["spec": ["ports": [["port": 80, "targetPort": target]]]] }
        XCTAssertNil(check(svc(8080), "v1", "Service").typeError)
        XCTAssertNil(check(svc("http"), "v1", "Service").typeError)
        XCTAssertEqual(check(svc(2147483648), "v1", "Service").typeError, "json: cannot unmarshal number 2147483648 into Go value of type int32")
        XCTAssertEqual(check(svc(true), "v1", "Service").typeError, "json: cannot unmarshal bool into Go value of type int32")
    }

    func testUnknownFieldsUseStrictDecodingPaths() {
        let d: JSON = ["metadata": ["name": "x", "bogus": 1], "spec": ["template": ["spec": ["containers": [["name": "c"], ["name": "d", "foo": 1]]]]],
                       "extra": ["deep": 1]]
        XCTAssertEqual(check(d, "apps/v1", "Deployment").unknownFields,
                       ["metadata.bogus", "spec.template.spec.containers[1].foo", "extra"])
    }

    /// EphemeralContainer embeds EphemeralContainerCommon with `json:""`: its fields are the container's own.
    func testEmbeddedStructsAreInlinedAsGoDoes() {
        let pod: JSON = ["spec": ["ephemeralContainers": [["name": "debug", "image": "busybox", "targetContainerName": "c",
                                                           "ports": [["containerPort": 2147483648]]]]]]
        let r = check(pod, "v1", "Pod")
        XCTAssertEqual(r.unknownFields, [])
        XCTAssertEqual(r.typeError, "json: cannot unmarshal number 2147483648 into Go struct field ContainerPort.spec.ephemeralContainers.ports.containerPort of type int32")
    }

    /// Every int32 and int64 field reachable from every served kind: one past the
    /// range is refused naming the field's type, the range's end is accepted.
    func testEveryIntegerFieldOfEveryKindIsRangeChecked() {
        var checked = 0
        for r in BuiltinResources.all {
            guard let root = schema.messageName(for: r) else { continue }
            for (path, type) in integerFields(root) {
                let (tooBig, edge): (JSON, JSON) = type == .int32
                    ? (.int(Int64(Int32.max) + 1), .int(Int64(Int32.max)))
                    : (.double(9223372036854775808.0), .int(.max))
                let bad = document(root, path, tooBig)
                let err = schema.checkDecoding(bad, message: root).typeError
                XCTAssertNotNil(err, "\(r.kind) \(path.joined(separator: "."))")
                XCTAssertTrue(err?.hasSuffix("of type \(type == .int32 ? "int32" : "int64")") ?? false, "\(r.kind) \(path): \(err ?? "")")
                XCTAssertNil(schema.checkDecoding(document(root, path, edge), message: root).typeError, "\(r.kind) \(path)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 300, "the walk must reach the integer fields of pods, workloads, services...")
    }

    /// Paths (message field names) to integer fields under `root`, each message visited once per path prefix depth.
    func integerFields(_ root: String) -> [([String], APISchema.FieldType)] {
        var out: [([String], APISchema.FieldType)] = []
        func visit(_ m: String, _ path: [String], _ seen: Set<String>) {
            guard !seen.contains(m), !APISchema.scalarMessages.contains(m), !APISchema.freeformMessages.contains(m),
                  !schema.isListWrapper(m) else { return }
            for (name, f) in schema.fields(of: m) {
                var t = f.type
                while case .repeated(let inner) = t { t = inner }
                if case .map(let inner) = t { t = inner }
                switch t {
                case .int32, .int64: out.append((path + [name], t))
                case .message(let inner): visit(inner, path + [name], seen.union([m]))
                default: break
                }
            }
        }
        visit(root, [], [])
        return out
    }

    /// A document holding `value` at `path`, with lists and maps of one element on the way.
    func document(_ message: String, _ path: [String], _ value: JSON) -> JSON {
        guard let name = path.first else { return value }
        let f = schema.fields(of: message)[name]!
        func wrap(_ t: APISchema.FieldType) -> JSON {
            switch t {
            case .repeated(let inner): return [wrap(inner)]
            case .map(let inner): return ["k": wrap(inner)]
            case .message(let m): return document(m, Array(path.dropFirst()), value)
            default: return value
            }
        }
        return .object(JSONObject([(name, wrap(f.type))]))
    }
}
