import XCTest
@testable import EdgeAPI

final class TableConvertorTests: XCTestCase {
    let now = Timestamp(rfc3339: "2026-11-24T12:00:00Z")!

    func cells(_ cols: [TableColumn], _ obj: JSON, wide: Bool = false) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for c in cols where wide || c.priority == 0 { out[c.name] = c.cell(obj, now) }
        return out
    }

    func pod(_ status: JSON, spec: JSON = ["containers": [["name": "a"]]], deleting: Bool = false) -> JSON {
        var p: JSON = ["metadata": ["name": "p", "creationTimestamp": "2026-11-24T11:57:30Z"], "spec": spec, "status": status]
        if deleting { p[path: ["metadata", "deletionTimestamp"]] = "2026-11-24T12:00:30Z" }
        return p
    }

    func testPodColumnsAndStatuses() {
        let running = pod(["phase": "Running", "podIP": "10.42.0.5",
                           "containerStatuses": [["name": "a", "ready": true, "restartCount": 0, "state": ["running": [:]]]]],
                          spec: ["nodeName": "n1", "containers": [["name": "a"]]])
        let c = cells(TableColumns.pods, running, wide: true)
        XCTAssertEqual(c["Ready"], "1/1")
        XCTAssertEqual(c["Status"], "Running")
        XCTAssertEqual(c["Restarts"], "0")
        XCTAssertEqual(c["Age"], "2m30s")
        XCTAssertEqual(c["IP"], "10.42.0.5")
        XCTAssertEqual(c["Node"], "n1")
        let crash = pod(["phase": "Running", "containerStatuses": [["name": "a", "ready": false, "restartCount": 4,
                                                                     "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                                                                     "lastState": ["terminated": ["exitCode": 1, "finishedAt": "2026-11-24T11:59:00Z"]]]]])
        XCTAssertEqual(cells(TableColumns.pods, crash)["Status"], "CrashLoopBackOff")
        XCTAssertEqual(cells(TableColumns.pods, crash)["Restarts"], "4 (60s ago)")
        let initPod = pod(["phase": "Pending", "initContainerStatuses": [["name": "i", "state": ["running": [:]]]]],
                          spec: ["initContainers": [["name": "i"]], "containers": [["name": "a"]]])
        XCTAssertEqual(cells(TableColumns.pods, initPod)["Status"], "Init:0/1")
        XCTAssertEqual(cells(TableColumns.pods, pod(["phase": "Running"], deleting: true))["Status"], "Terminating")
        let oom = pod(["phase": "Running", "containerStatuses": [["name": "a", "state": ["terminated": ["reason": "OOMKilled", "exitCode": 137]]]]])
        XCTAssertEqual(cells(TableColumns.pods, oom)["Status"], "OOMKilled")
    }

    func testHumanDuration() {
        XCTAssertEqual(HumanDuration.format(seconds: 45), "45s")
        XCTAssertEqual(HumanDuration.format(seconds: 200), "3m20s")
        XCTAssertEqual(HumanDuration.format(seconds: 900), "15m")
        XCTAssertEqual(HumanDuration.format(seconds: 5 * 3600 + 1800), "5h30m")
        XCTAssertEqual(HumanDuration.format(seconds: 3 * 86400 + 4 * 3600), "3d4h")
        XCTAssertEqual(HumanDuration.format(seconds: 30 * 86400), "30d")
    }

    func testServiceAndDeploymentCells() {
        let svc: JSON = ["metadata": ["name": "s"], "spec": ["type": "NodePort", "clusterIP": "10.43.0.7", "selector": ["app": "web"],
                                                              "ports": [["port": 80, "nodePort": 30080, "protocol": "TCP"]]]]
        let c = cells(TableColumns.services, svc, wide: true)
        XCTAssertEqual(c["Port(s)"], "80:30080/TCP")
        XCTAssertEqual(c["External-IP"], "<none>")
        XCTAssertEqual(c["Selector"], "app=web")
        let d: JSON = ["metadata": ["name": "d"], "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]],
                                                            "template": ["spec": ["containers": [["name": "c", "image": "busybox"]]]]],
                       "status": ["readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2]]
        let dc = cells(TableColumns.deployments, d, wide: true)
        XCTAssertEqual(dc["Ready"], "2/3")
        XCTAssertEqual(dc["Images"], "busybox")
        let table = TableConvertor.table(columns: TableColumns.pods, items: [pod(["phase": "Pending"])], now: now, listMeta: nil) { _ in .null }
        XCTAssertEqual(table["columnDefinitions"]?.array?.map { $0["name"]?.string ?? "" }.prefix(5).map { $0 },
                       ["Name", "Ready", "Status", "Restarts", "Age"])
    }
}
