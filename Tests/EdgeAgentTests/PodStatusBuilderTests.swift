import XCTest
import EdgeAPI
@testable import EdgeRuntime
@testable import EdgeAgent

final class PodStatusBuilderTests: XCTestCase {
    func record(running: Bool, exit: Int32 = 0, oom: Bool = false, startError: String? = nil) -> ContainerRecord {
        var r = ContainerRecord(dir: "/nonexistent")
        r.pid = 42
        r.startedAt = "2026-12-01T10:00:00Z"
        if !running {
            r.exit = .init(exitCode: exit, signal: exit == 137 ? 9 : 0, finishedAt: "2026-12-01T10:00:05Z", oomKilled: oom, startError: startError)
        }
        return r
    }

    func obs(_ name: String, _ r: ContainerRecord?, attempt: Int = 0, ready: Bool = false) -> ContainerObservation {
        var o = ContainerObservation(name: name, image: "busybox", current: r, attempt: attempt, podUID: "u1")
        o.ready = ready
        o.started = true
        return o
    }

    func input(_ policy: String, inits: [ContainerObservation] = [], containers: [ContainerObservation]) -> PodStatusBuilder.Input {
        .init(pod: ["metadata": ["name": "p"], "spec": ["restartPolicy": .string(policy), "containers": [["name": "c"]]]],
              initContainers: inits, containers: containers, hostIP: "192.0.2.1", podIP: nil, sandboxReady: true, now: Timestamp(seconds: 1_800_000_000))
    }

    func testPhaseFollowsUpstreamRules() {
        XCTAssertEqual(PodStatusBuilder.phase(input("Always", containers: [obs("c", nil)])), "Pending")
        XCTAssertEqual(PodStatusBuilder.phase(input("Always", containers: [obs("c", record(running: true))])), "Running")
        // Always restarts whatever ended, so the pod stays Running.
        XCTAssertEqual(PodStatusBuilder.phase(input("Always", containers: [obs("c", record(running: false, exit: 0))])), "Running")
        XCTAssertEqual(PodStatusBuilder.phase(input("OnFailure", containers: [obs("c", record(running: false, exit: 1))])), "Running")
        XCTAssertEqual(PodStatusBuilder.phase(input("OnFailure", containers: [obs("c", record(running: false, exit: 0))])), "Succeeded")
        XCTAssertEqual(PodStatusBuilder.phase(input("Never", containers: [obs("c", record(running: false, exit: 3))])), "Failed")
        XCTAssertEqual(PodStatusBuilder.phase(input("Never", containers: [obs("c", record(running: false, startError: "no such file"))])), "Failed")
        // An instance whose start has not reported (its directory only) has not run: not Succeeded, whatever the policy.
        XCTAssertEqual(PodStatusBuilder.phase(input("Never", containers: [obs("c", ContainerRecord(dir: "/nonexistent"))])), "Pending")
        XCTAssertEqual(PodStatusBuilder.phase(input("OnFailure", containers: [obs("c", ContainerRecord(dir: "/nonexistent"))])), "Pending")
        // Init containers gate the rest; one failing under Never fails the pod.
        XCTAssertEqual(PodStatusBuilder.phase(input("Always", inits: [obs("i", record(running: true))], containers: [obs("c", nil)])), "Pending")
        XCTAssertEqual(PodStatusBuilder.phase(input("Never", inits: [obs("i", record(running: false, exit: 1))], containers: [obs("c", nil)])), "Failed")
    }

    func testContainerStatusShapes() {
        let running = obs("c", record(running: true), attempt: 2, ready: true)
        var withPrevious = running
        withPrevious.previous = record(running: false, exit: 137, oom: true)
        let s = withPrevious.status
        XCTAssertEqual(s["restartCount"], 2)
        XCTAssertEqual(s[path: ["state", "running", "startedAt"]], "2026-12-01T10:00:00Z")
        XCTAssertEqual(s[path: ["lastState", "terminated", "reason"]], "OOMKilled")
        XCTAssertEqual(s[path: ["lastState", "terminated", "exitCode"]], 137)
        XCTAssertEqual(s["containerID"], "edgectl://u1-c-2")

        var backingOff = obs("c", record(running: false, exit: 1), attempt: 3)
        backingOff.waiting = ("CrashLoopBackOff", "back-off 20s restarting failed container=c pod=p_ns(u1)")
        let b = backingOff.status
        XCTAssertEqual(b[path: ["state", "waiting", "reason"]], "CrashLoopBackOff")
        XCTAssertEqual(b[path: ["lastState", "terminated", "reason"]], "Error")
        XCTAssertEqual(b["ready"], false)

        let done = obs("c", record(running: false, exit: 0)).status
        XCTAssertEqual(done[path: ["state", "terminated", "reason"]], "Completed")
        XCTAssertEqual(obs("c", record(running: false, startError: "exec failed")).status[path: ["state", "terminated", "reason"]], "StartError")
        XCTAssertEqual(obs("c", nil).status[path: ["state", "waiting", "reason"]], "ContainerCreating")
    }

    func testConditionsAndTransitionTimesKeptWhileUnchanged() {
        let ready = PodStatusBuilder.build(input("Always", containers: [obs("c", record(running: true), ready: true)]))
        let cond = { (s: JSON, t: String) in (s["conditions"]?.array ?? []).first { $0["type"]?.string == t } }
        XCTAssertEqual(cond(ready, "Ready")?["status"], "True")
        XCTAssertEqual(cond(ready, "Initialized")?["status"], "True")
        var pod: JSON = ["metadata": ["name": "p"], "spec": ["containers": [["name": "c"]]], "status": ready]
        pod[path: ["status", "conditions"]] = .array((ready["conditions"]?.array ?? []).map { c in var c = c; c["lastTransitionTime"] = "2026-01-01T00:00:00Z"; return c })
        var again = input("Always", containers: [obs("c", record(running: true), ready: true)])
        again.pod = pod
        XCTAssertEqual(cond(PodStatusBuilder.build(again), "Ready")?["lastTransitionTime"], "2026-01-01T00:00:00Z")
        var unready = input("Always", containers: [obs("c", record(running: true), ready: false)])
        unready.pod = pod
        let u = PodStatusBuilder.build(unready)
        XCTAssertEqual(cond(u, "Ready")?["status"], "False")
        XCTAssertEqual(cond(u, "Ready")?["message"], "containers with unready status: [c]")
        XCTAssertNotEqual(cond(u, "Ready")?["lastTransitionTime"], "2026-01-01T00:00:00Z")
    }

    func testQoSClass() {
        func pod(_ resources: JSON) -> JSON { ["spec": ["containers": [["name": "c", "resources": resources]]]] }
        XCTAssertEqual(PodStatusBuilder.qosClass(pod([:])), "BestEffort")
        XCTAssertEqual(PodStatusBuilder.qosClass(pod(["limits": ["cpu": "1", "memory": "64Mi"]])), "Guaranteed")
        XCTAssertEqual(PodStatusBuilder.qosClass(pod(["limits": ["cpu": "1", "memory": "64Mi"], "requests": ["cpu": "500m", "memory": "64Mi"]])), "Burstable")
        XCTAssertEqual(PodStatusBuilder.qosClass(pod(["requests": ["memory": "64Mi"]])), "Burstable")
    }
}
