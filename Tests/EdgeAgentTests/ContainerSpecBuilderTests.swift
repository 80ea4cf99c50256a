import XCTest
import EdgeAPI
@testable import EdgeRuntime
@testable import EdgeAgent

final class ContainerSpecBuilderTests: XCTestCase {
    let image = PodImage(id: "sha256:x", reference: "busybox", entrypoint: ["/entry"], cmd: ["serve", "--port=80"], env: ["PATH=/bin"],
                         workingDir: "/srv", user: "app", layers: ["/l"])
    let passwd = "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n"
    let group = "root:x:0:\nstaff:x:50:\n"

    /// A host like many under systemd or in a container: every capability up to 40 but CAP_SYS_RESOURCE (24).
    let host = Set(0...40).subtracting([24])

    func build(_ container: JSON, pod: JSON = ["metadata": ["name": "web-0"], "spec": [:]], env: [(String, String)] = []) throws -> ContainerSpec {
        try ContainerSpecBuilder.build(.init(pod: pod, container: container, image: image, env: env, rootfs: "/r", mounts: [],
                                             cgroup: "edgectl/podu/c-0", passwd: passwd, group: group, hostCapabilities: host))
    }

    func testCommandAndArgsAgainstEntrypointAndCmd() throws {
        XCTAssertEqual(try build(["name": "c"]).args, ["/entry", "serve", "--port=80"])
        XCTAssertEqual(try build(["name": "c", "args": ["x"]]).args, ["/entry", "x"])
        XCTAssertEqual(try build(["name": "c", "command": ["sh"]]).args, ["sh"])
        XCTAssertEqual(try build(["name": "c", "command": ["sh"], "args": ["-c", "echo $(GREETING) $$(GREETING) $(UNSET)"]],
                             env: [("GREETING", "hi")]).args, ["sh", "-c", "echo hi $(GREETING) $(UNSET)"])
    }

    func testIdentityFromImageUserAndSecurityContext() throws {
        var s = try build(["name": "c"])
        XCTAssertEqual(s.uid, 1000)
        XCTAssertEqual(s.gid, 1001)
        XCTAssertEqual(s.workingDir, "/srv")
        XCTAssertEqual(s.hostname, "web-0")
        XCTAssertTrue(s.env.contains("HOSTNAME=web-0"))
        s = try build(["name": "c", "securityContext": ["runAsUser": 7, "runAsGroup": 8]],
                      pod: ["metadata": ["name": "p"], "spec": ["securityContext": ["supplementalGroups": [3], "fsGroup": 4]]])
        XCTAssertEqual([s.uid, s.gid], [7, 8])
        XCTAssertEqual(s.supplementalGroups, [3, 4])
        XCTAssertEqual(try ContainerSpecBuilder.user(image: "app:staff", passwd: passwd, group: group).gid, 50)
        XCTAssertThrowsError(try ContainerSpecBuilder.user(image: "nobody", passwd: passwd, group: group)) {
            XCTAssertTrue("\($0)".contains("unable to find user nobody"))
        }
        XCTAssertThrowsError(try build(["name": "c", "securityContext": ["runAsUser": 0, "runAsNonRoot": true]]))
        // Ids from a client are range-checked: out of range is a config error, not a trap that kills the agent.
        for bad: JSON in [["runAsUser": -1], ["runAsGroup": 4_294_967_296], ["runAsUser": .int(Int64.max)]] {
            XCTAssertThrowsError(try build(["name": "c", "securityContext": bad]), "\(bad)")
        }
        XCTAssertThrowsError(try build(["name": "c"], pod: ["metadata": ["name": "p"], "spec": ["securityContext": ["fsGroup": -5]]]))
    }

    func testCapabilitiesSeccompAndLimits() throws {
        var s = try build(["name": "c", "securityContext": ["capabilities": ["drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CAP_CHOWN"]]]])
        XCTAssertEqual(s.capabilities, [0, 10])
        XCTAssertTrue(s.seccompRuntimeDefault)
        s = try build(["name": "c", "securityContext": ["seccompProfile": ["type": "Unconfined"]]])
        XCTAssertFalse(s.seccompRuntimeDefault)
        XCTAssertFalse(s.allDevices)
        s = try build(["name": "c", "securityContext": ["privileged": true]])
        XCTAssertEqual(s.capabilities, host, "what the host has (asking for more fails capset)")
        XCTAssertTrue(s.allDevices)
        XCTAssertFalse(s.seccompRuntimeDefault)
        XCTAssertEqual(try build(["name": "c", "securityContext": ["capabilities": ["add": ["ALL"]]]]).capabilities, host)
        XCTAssertThrowsError(try build(["name": "c", "securityContext": ["capabilities": ["add": ["SYS_RESOURCE"]]]])) {
            XCTAssertEqual("\($0)", "capability SYS_RESOURCE in capabilities.add is not in this node's bounding set, so no container here can have it")
        }
        // A default the host lacks is left out rather than failing every container.
        XCTAssertEqual(try ContainerSpecBuilder.capabilities(nil, host: host.subtracting([27])), ContainerSpec.defaultCapabilities.subtracting([27]))
        XCTAssertThrowsError(try build(["name": "c", "securityContext": ["capabilities": ["add": ["FLY"]]]]))
        s = try build(["name": "c", "resources": ["limits": ["memory": "64Mi", "cpu": "500m"], "requests": ["cpu": "250m"]]])
        XCTAssertEqual(s.limits.memoryBytes, 64 << 20)
        XCTAssertEqual(s.limits.cpuQuotaMicros, 50_000)
        XCTAssertEqual(s.limits.cpuShares, 256)
        XCTAssertEqual(try build(["name": "c"]).limits.cpuShares, 2)
    }

    func testRestartBackoffDoublesToFiveMinutesAndResets() {
        var b = RestartBackoff()
        let delays = (0..<8).map { _ in b.next(ran: .seconds(1)) }
        XCTAssertEqual(delays, [.zero, .seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(300), .seconds(300)])
        XCTAssertEqual(b.next(ran: .seconds(600)), .zero)
        XCTAssertEqual(b.next(ran: .seconds(1)), .seconds(10))
    }
}
