import EdgeAPI
import XCTest

/// Paths inside volumes as upstream's pkg/apis/core/validation checks them (field paths and messages as
/// upstream prints them, its quirks included): the ".." that let a pod write or mount outside its volume.
final class PodPathValidationTests: XCTestCase {
    func pod(volumes: [JSON] = [], mounts: [JSON] = [], container: JSON = [:]) -> JSON {
        var c: JSON = ["name": "main", "image": "busybox", "volumeMounts": .array(mounts)]
        for (k, v) in container.object ?? JSONObject() { c[k] = v }
        let names = volumes.indices.map { JSON.string("v\($0)") }
        var vols: [JSON] = []
        for (i, v) in volumes.enumerated() { var v = v; v["name"] = names[i]; vols.append(v) }
        return ["metadata": ["name": "p", "namespace": "default"], "spec": ["containers": [c], "volumes": .array(vols)]]
    }

    func errors(_ p: JSON) -> [String] {
        (ObjectMetaValidator.validate(p["metadata"], nameRule: .dns1123Subdomain) + PodValidator.spec(p["spec"], path: "spec")).map(\.message)
    }

    func testItemPathsOfEveryFileVolume() {
        let up = "../../../../tmp/x"
        let cases: [(JSON, String)] = [
            (["configMap": ["name": "c", "items": [["key": "k", "path": .string(up)]]]], "spec.volumes[0].configMap.items[0].path"),
            (["secret": ["secretName": "s", "items": [["key": "k", "path": .string(up)]]]], "spec.volumes[0].secret.items[0].path"),
            (["downwardAPI": ["items": [["path": .string(up), "fieldRef": ["fieldPath": "metadata.name"]]]]], "spec.volumes[0].downwardAPI.path"),
            (["projected": ["sources": [["secret": ["name": "s", "items": [["key": "k", "path": .string(up)]]]]]]],
             "spec.volumes[0].projected.sources[0].secret.items[0].path"),
            (["projected": ["sources": [["configMap": ["name": "c", "items": [["key": "k", "path": .string(up)]]]]]]],
             "spec.volumes[0].projected.sources[0].configMap.items[0].path"),
            (["projected": ["sources": [["downwardAPI": ["items": [["path": .string(up), "fieldRef": ["fieldPath": "metadata.name"]]]]]]]],
             "spec.volumes[0].projected.sources[0].downwardAPI.path"),
            (["projected": ["sources": [["serviceAccountToken": ["path": .string(up)]]]]], "spec.volumes[0].projected.path"),
        ]
        for (volume, field) in cases {
            XCTAssertEqual(errors(pod(volumes: [volume])), ["\(field): Invalid value: \"\(up)\": must not contain '..'"], field)
        }
    }

    func testReservedAbsoluteAndMissingItemPaths() {
        let p = pod(volumes: [["configMap": ["name": "c", "items": [["key": "a", "path": "..data"], ["key": "b", "path": "/etc/passwd"],
                                                                    ["key": "", "path": ""], ["key": "d", "path": "ok/..fine/x"]]]]])
        XCTAssertEqual(errors(p), [
            "spec.volumes[0].configMap.items[0].path: Invalid value: \"..data\": must not start with '..'",
            "spec.volumes[0].configMap.items[1].path: Invalid value: \"/etc/passwd\": must be a relative path",
            "spec.volumes[0].configMap.items[2].key: Required value",
            "spec.volumes[0].configMap.items[2].path: Required value",
        ])
        // "../x" is reported once, as upstream: the ".." element, not also the reserved prefix.
        XCTAssertEqual(errors(pod(volumes: [["secret": ["secretName": "s", "items": [["key": "k", "path": "../x"]]]]])),
                       ["spec.volumes[0].secret.items[0].path: Invalid value: \"../x\": must not contain '..'"])
    }

    func testSubPathAndSubPathExprAsUpstreamNamesThem() {
        let v: [JSON] = [["emptyDir": [:]]]
        XCTAssertEqual(errors(pod(volumes: v, mounts: [["name": "v0", "mountPath": "/m", "subPath": "../x"]])),
                       ["spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not contain '..'"])
        XCTAssertEqual(errors(pod(volumes: v, mounts: [["name": "v0", "mountPath": "/m", "subPath": "/etc"]])),
                       ["spec.containers[0].volumeMounts.subPath: Invalid value: \"/etc\": must be a relative path"])
        XCTAssertEqual(errors(pod(volumes: v, mounts: [["name": "v0", "mountPath": "/m", "subPathExpr": "$(POD)/../.."]])),
                       ["spec.containers[0].volumeMounts.subPathExpr: Invalid value: \"$(POD)/../..\": must not contain '..'"])
        XCTAssertEqual(errors(pod(volumes: v, mounts: [["name": "v0", "mountPath": "/m", "subPath": "a", "subPathExpr": "b"]])),
                       ["spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: \"b\": subPathExpr and subPath are mutually exclusive"])
        XCTAssertEqual(errors(pod(volumes: v, mounts: [["name": "v0", "mountPath": "/m", "subPath": "a/b..c/..d"]])), [])
    }

    func testMountAndTerminationPathsAreLeftToTheRuntimeAsUpstream() {
        // Upstream accepts ".." in these; the runtime resolves them inside the container's root.
        let p = pod(volumes: [["emptyDir": [:]]], mounts: [["name": "v0", "mountPath": "/../../tmp/x"]],
                    container: ["terminationMessagePath": "/../../tmp/log"])
        XCTAssertEqual(errors(p), [])
    }

    func testTemplatesAreCheckedToo() {
        let template: JSON = ["metadata": ["labels": ["app": "a"]], "spec": pod(volumes: [["configMap": ["name": "c", "items": [
            ["key": "k", "path": "../x"]]]]])["spec"]!]
        let d: JSON = ["metadata": ["name": "d", "namespace": "default"], "spec": ["selector": ["matchLabels": ["app": "a"]], "template": template]]
        XCTAssertEqual(WorkloadValidator.validate(d, kind: "Deployment").map(\.message),
                       ["spec.template.spec.volumes[0].configMap.items[0].path: Invalid value: \"../x\": must not contain '..'"])
    }

    func testLocalPathProblemsForTheAgent() {
        XCTAssertNil(LocalPathRules.nonReservedProblem("a/b"))
        XCTAssertEqual(LocalPathRules.nonReservedProblem("a/../../b"), "must not contain '..'")
        XCTAssertEqual(LocalPathRules.nonReservedProblem("/abs"), "must be a relative path")
        XCTAssertEqual(LocalPathRules.nonReservedProblem("..data"), "must not start with '..'")
        XCTAssertNil(LocalPathRules.descendingProblem("..data"))
    }
}
