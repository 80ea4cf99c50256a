import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// PATCH application/apply-patch+yaml and managedFields on every write, through the API service.
final class ServerSideApplyTests: XCTestCase {
    let cms = "/api/v1/namespaces/default/configmaps"
    let deploys = "/apis/apps/v1/namespaces/default/deployments"

    func apply(_ h: APITestHarness, _ path: String, _ body: String, manager: String? = "tester", force: Bool = false,
               extra: String = "") async -> (Int, JSON) {
        var q: [String] = []
        if let manager { q.append("fieldManager=\(manager)") }
        if force { q.append("force=true") }
        if !extra.isEmpty { q.append(extra) }
        let (code, _, json) = await h.raw("PATCH", path + (q.isEmpty ? "" : "?" + q.joined(separator: "&")), body: body,
                                          contentType: "application/apply-patch+yaml")
        return (code, json)
    }

    func managers(_ obj: JSON) -> [String] {
        (obj[path: ["metadata", "managedFields"]]?.array ?? []).map { "\($0["manager"]?.string ?? "")/\($0["operation"]?.string ?? "")" }
    }

    func testApplyCreatesFromYAMLThenUpdatesAndRecordsTheManager() async throws {
        let h = try await APITestHarness()
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: cfg
              labels: {app: web}
            data:
              a: "1"
              b: two  # comment
            """
        let (code, created) = await apply(h, cms + "/cfg", yaml)
        XCTAssertEqual(code, 201, "\(created)")
        XCTAssertEqual(created[path: ["data", "b"]], "two")
        let entry = created[path: ["metadata", "managedFields"]]!.array![0]
        XCTAssertEqual(entry["manager"], "tester")
        XCTAssertEqual(entry["operation"], "Apply")
        XCTAssertEqual(entry["apiVersion"], "v1")
        XCTAssertEqual(entry["fieldsType"], "FieldsV1")
        XCTAssertEqual(JSONSerializer.string(entry["fieldsV1"]!), #"{"f:data":{"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:app":{}}}}"#)

        // The manager stops applying b: it goes.
        let (code2, updated) = await apply(h, cms + "/cfg", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}}"#)
        XCTAssertEqual(code2, 200)
        XCTAssertNil(updated[path: ["data", "b"]])
        XCTAssertNil(updated[path: ["metadata", "labels", "app"]])
    }

    func testASecondManagerConflictsWith409AndCausesThenForces() async throws {
        let h = try await APITestHarness()
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"one"}}"#
        _ = await apply(h, cms + "/c", body, manager: "first")
        let other = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"two"}}"#
        let (code, status) = await apply(h, cms + "/c", other, manager: "second")
        XCTAssertEqual(code, 409)
        XCTAssertEqual(status["reason"], "Conflict")
        XCTAssertEqual(status["message"], #"Apply failed with 1 conflict: conflict with "first": .data.k"#)
        XCTAssertEqual(status[path: ["details", "causes"]], [["reason": "FieldManagerConflict", "message": #"conflict with "first""#, "field": ".data.k"]])
        let (forced, obj) = await apply(h, cms + "/c", other, manager: "second", force: true)
        XCTAssertEqual(forced, 200)
        XCTAssertEqual(obj[path: ["data", "k"]], "two")
        XCTAssertEqual(managers(obj), ["second/Apply"], "the first manager lost its only field")
    }

    func testApplyOptionsAreCheckedAsUpstream() async throws {
        let h = try await APITestHarness()
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#
        let (code, status) = await apply(h, cms + "/c", body, manager: nil)
        XCTAssertEqual(code, 422)
        XCTAssertEqual(status["message"], #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#)
        let (c2, s2, _) = await h.raw("PATCH", cms + "/c?force=true", body: "{}", contentType: "application/merge-patch+json")
        XCTAssertEqual(c2, 422, "\(s2)")
        let (c3, s3) = await apply(h, cms + "/c", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[]}}"#)
        XCTAssertEqual(c3, 400)
        XCTAssertEqual(s3["message"], "metadata.managedFields must be nil")
        let (c4, s4) = await apply(h, cms + "/c", #"{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"c"}}"#)
        XCTAssertEqual(c4, 400)
        XCTAssertEqual(s4["message"], "Incorrect version specified in apply patch. Specified patch version: v2, expected: v1")
        let (c5, _) = await apply(h, cms + "/c", "a: [b")
        XCTAssertEqual(c5, 400)
        let (c6, s6) = await apply(h, cms + "/other", body)
        XCTAssertEqual(c6, 400)
        XCTAssertEqual(s6["message"], "the name of the object (c) does not match the name on the URL (other)")
    }

    func testUpdatesRecordTheirManagerFromTheQueryOrUserAgent() async throws {
        let h = try await APITestHarness()
        let (code, created) = await h.call("POST", cms, h.configMap("u"), headers: ["user-agent": "kubectl/v1.37.0 (linux/amd64) kubernetes/abc"])
        XCTAssertEqual(code, 201)
        XCTAssertEqual(managers(created), ["kubectl/Update"])
        XCTAssertEqual(JSONSerializer.string(created[path: ["metadata", "managedFields"]]!.array![0]["fieldsV1"]!), #"{"f:data":{".":{},"f:k":{}}}"#)
        var changed = created
        changed[path: ["data", "x"]] = "y"
        let (c2, updated) = await h.call("PUT", cms + "/u?fieldManager=kubectl-edit", changed)
        XCTAssertEqual(c2, 200)
        XCTAssertEqual(managers(updated), ["kubectl/Update", "kubectl-edit/Update"])
        // Reset: [{}] strips managedFields.
        let (c3, _, reset) = await h.raw("PATCH", cms + "/u", body: #"{"metadata":{"managedFields":[{}]}}"#, contentType: "application/merge-patch+json")
        XCTAssertEqual(c3, 200)
        XCTAssertNil(reset[path: ["metadata", "managedFields"]])
    }

    func testDeploymentListsMergeByKeyAcrossManagers() async throws {
        let h = try await APITestHarness()
        let first = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: web
                    image: nginx:1
                    ports:
                    - containerPort: 80
            """
        let (c1, _) = await apply(h, deploys + "/web", first, manager: "one")
        XCTAssertEqual(c1, 201)
        let sidecar = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  containers:
                  - name: sidecar
                    image: busybox
            """
        let (c2, obj) = await apply(h, deploys + "/web", sidecar, manager: "two")
        XCTAssertEqual(c2, 200, "\(obj)")
        let names = obj[path: ["spec", "template", "spec", "containers"]]!.array!.compactMap { $0["name"]?.string }
        XCTAssertEqual(names, ["web", "sidecar"])
        XCTAssertEqual(managers(obj), ["one/Apply", "two/Apply"])
    }

    func testStatusIsNotAppliedOnTheObject() async throws {
        let h = try await APITestHarness()
        let (code, obj) = await apply(h, deploys + "/s", """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"s"},"spec":{"selector":{"matchLabels":{"a":"b"}},
             "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}},"status":{"replicas":7}}
            """)
        XCTAssertEqual(code, 201, "\(obj)")
        XCTAssertNotEqual(obj[path: ["status", "replicas"]], 7)
        let fields = obj[path: ["metadata", "managedFields"]]!.array![0]["fieldsV1"]!
        XCTAssertNil(fields["f:status"])
    }

    func testKubectlTakesClientSideApplyFieldsWhoseValueIsTheLastApplied() async throws {
        let h = try await APITestHarness()
        let last = #"{"apiVersion":"v1","data":{"k":"one","m":"x"},"kind":"ConfigMap","metadata":{"name":"csa"}}"#
        var cm = h.configMap("csa", ["k": "one", "m": "x"])
        cm[path: ["metadata", "annotations"]] = ["kubectl.kubernetes.io/last-applied-configuration": .string(last)]
        let (code, _) = await h.call("POST", cms + "?fieldManager=kubectl-client-side-apply", cm)
        XCTAssertEqual(code, 201)
        // Someone else edits m: its live value is no longer the last-applied one.
        let (c2, _, _) = await h.raw("PATCH", cms + "/csa?fieldManager=editor", body: #"{"data":{"m":"y"}}"#,
                                     contentType: "application/merge-patch+json")
        XCTAssertEqual(c2, 200)
        let changed = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"csa"},"data":{"k":"two","m":"z"}}"#
        // Another manager conflicts on both; kubectl only on m (k still holds what was last applied).
        let (other, s1) = await apply(h, cms + "/csa", changed, manager: "other")
        XCTAssertEqual(other, 409)
        XCTAssertEqual(s1[path: ["details", "causes"]]?.array?.count, 2)
        let (mine, s2) = await apply(h, cms + "/csa", changed, manager: "kubectl")
        XCTAssertEqual(mine, 409)
        XCTAssertEqual(s2["message"], #"Apply failed with 1 conflict: conflict with "editor" using v1: .data.m"#)
        let (ok, obj) = await apply(h, cms + "/csa", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"csa"},"data":{"k":"two"}}"#,
                                    manager: "kubectl")
        XCTAssertEqual(ok, 200, "\(obj)")
        XCTAssertEqual(obj[path: ["data", "k"]], "two")
        // The annotation follows what kubectl applied server-side.
        let annotation = obj[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]]?.string ?? ""
        XCTAssertEqual(try JSONParser.parse(annotation)[path: ["data"]], ["k": "two"])
    }

    func testUndeclaredFieldsAreRefusedWhateverFieldValidationSays() async throws {
        let h = try await APITestHarness()
        for mode in ["Ignore", "Strict"] {
            let (code, status) = await apply(h, cms + "/u", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"dataa":{"a":"1"}}"#,
                                             extra: "fieldValidation=\(mode)")
            XCTAssertEqual(code, 500)
            XCTAssertEqual(status["message"], "failed to create typed patch object (default/u; v1, Kind=ConfigMap): .dataa: field not declared in schema")
        }
        let (_, got) = await h.call("GET", cms + "/u")
        XCTAssertEqual(got["code"], 404, "nothing stored")
    }
}
