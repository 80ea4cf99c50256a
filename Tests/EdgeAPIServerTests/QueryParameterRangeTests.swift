import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// Query parameters at and past their ranges: upstream's answers, never a trap.
final class QueryParameterRangeTests: XCTestCase {
    let max = "9223372036854775807"

    func testLimitAtInt64MaxListsAndPastItIsRefusedInGosWords() async throws {
        let h = try await APITestHarness()
        for i in 0..<3 { _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c\(i)")) }
        let (ok, list) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=\(max)")
        XCTAssertEqual(ok, 200)
        XCTAssertEqual(list["items"]?.array?.count, 3)
        XCTAssertNil(list[path: ["metadata", "continue"]])
        let (bad, s) = await h.call("GET", "/api/v1/namespaces/default/configmaps?limit=9223372036854775808")
        XCTAssertEqual(bad, 400)
        XCTAssertEqual(s["message"]?.string, #"strconv.ParseInt: parsing "9223372036854775808": value out of range"#)
        let (bad2, s2) = await h.call("GET", "/api/v1/namespaces/default/configmaps?timeoutSeconds=1e3")
        XCTAssertEqual(bad2, 400)
        XCTAssertEqual(s2["message"]?.string, #"strconv.ParseInt: parsing "1e3": invalid syntax"#)
    }

    func testWatchPastTheStoreIsQuietUntilTheStoreGetsThere() async throws {
        let h = try await APITestHarness()
        for ahead in [max, "18446744073709551615", "+2"] {
            let current = try await h.backend.currentRevision()
            let rv = ahead == "+2" ? String(current + 2) : ahead
            let resp = await h.service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)&timeoutSeconds=1",
                                                          clientCertificate: APITestHarness.admin))
            XCTAssertEqual(resp.status, 200, rv)
            guard case .stream(let s) = resp.body else { return XCTFail("a watch streams") }
            let writer = Task {
                for i in 0..<3 { _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("w\(rv.prefix(4))-\(i)")) }
            }
            var names: [String] = []
            for await chunk in s {
                for line in String(decoding: chunk, as: UTF8.self).split(separator: "\n") {
                    if let e = try? JSONParser.parse(String(line)) { names.append(e[path: ["object", "metadata", "name"]]?.string ?? "") }
                }
            }
            await writer.value
            if ahead == "+2" {
                XCTAssertEqual(names, ["w\(rv.prefix(4))-2"], "events up to the asked revision are not sent")
            } else {
                XCTAssertEqual(names, [], "nothing reaches a revision past Int64")
            }
        }
        let (bad, _) = await h.call("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=18446744073709551616")
        XCTAssertEqual(bad, 400)
        let (noRV, _) = await h.call("GET", "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=false&timeoutSeconds=1")
        XCTAssertEqual(noRV, 200, "sendInitialEvents=false without a resourceVersion watches from now")
    }

    func testGracePeriodAtInt64MaxSaturatesTheDeletionTime() async throws {
        let h = try await APITestHarness()
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                         "spec": ["nodeName": "n1", "terminationGracePeriodSeconds": .int(.max), "containers": [["name": "c", "image": "busybox"]]]]
        let (created, _) = await h.call("POST", "/api/v1/namespaces/default/pods", pod)
        XCTAssertEqual(created, 201)
        let (dry, d) = await h.call("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=\(max)&dryRun=All")
        XCTAssertEqual(dry / 100, 2)
        XCTAssertEqual(d[path: ["metadata", "deletionTimestamp"]]?.string, "9999-12-31T23:59:59Z")
        let (del, d2) = await h.call("DELETE", "/api/v1/namespaces/default/pods/p")
        XCTAssertEqual(del / 100, 2)
        XCTAssertEqual(d2[path: ["metadata", "deletionGracePeriodSeconds"]]?.int, .max)
        XCTAssertEqual(d2[path: ["metadata", "deletionTimestamp"]]?.string, "9999-12-31T23:59:59Z")
        let (bad, s) = await h.call("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=-9223372036854775809")
        XCTAssertEqual(bad, 400)
        XCTAssertEqual(s["message"]?.string, #"strconv.ParseInt: parsing "-9223372036854775809": value out of range"#)
    }

    func testPodLogOptionsAreValidatedBeforeAnyAgentIsAsked() async throws {
        let h = try await APITestHarness()
        for (q, field, message) in [("tailLines=-1", "tailLines", "Invalid value: -1: must be greater than or equal to 0"),
                                    ("limitBytes=0", "limitBytes", "Invalid value: 0: must be greater than 0"),
                                    ("sinceSeconds=-\(max)", "sinceSeconds", "Invalid value: -\(max): must be greater than 0")] {
            let (code, s) = await h.call("GET", "/api/v1/namespaces/default/pods/p/log?\(q)")
            XCTAssertEqual(code, 422, q)
            XCTAssertEqual(s["message"]?.string, "PodLogOptions \"p\" is invalid: \(field): \(message)")
            XCTAssertEqual(s[path: ["details", "kind"]]?.string, "PodLogOptions")
            XCTAssertEqual(s[path: ["details", "causes"]]?.array?.first?["field"]?.string, field)
        }
        let (code, _) = await h.call("GET", "/api/v1/namespaces/default/pods/p/log?tailLines=99999999999999999999")
        XCTAssertEqual(code, 400)
    }
}
