import EdgeAPI
import Synchronization
import XCTest
@testable import EdgeAPIServer
@testable import EdgeAuth
#if canImport(Glibc)
import Glibc
#endif

/// A sink that keeps events in memory, or refuses them.
final class MemoryAuditSink: AuditSink {
    let events = Mutex<[AuditEvent]>([])
    let refuse: Bool

    init(refuse: Bool = false) { self.refuse = refuse }

    func write(_ event: AuditEvent) -> Bool {
        if refuse { return false }
        events.withLock { $0.append(event) }
        return true
    }

    var all: [AuditEvent] { events.withLock { $0 } }
    var lines: [String] { all.map { JSONSerializer.string($0.json) } }
}

/// The audit log as upstream's audit filter writes it: stages, levels, who, what, the answer.
final class AuditLogTests: XCTestCase {
    func harness(_ policy: String, sink: MemoryAuditSink = MemoryAuditSink()) async throws -> (APITestHarness, MemoryAuditSink) {
        let p = try AuditPolicyReader.load("apiVersion: audit.k8s.io/v1\nkind: Policy\n" + policy)
        return (try await APITestHarness(auditor: Auditor(policy: p, sink: sink)), sink)
    }

    let secret: JSON = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "db"], "stringData": ["password": "hunter2-s3cret"],
                        "data": ["token": "c2VjcmV0LXRva2Vu"]]

    func testMetadataLevelNamesTheSecretButNeverLogsItsData() async throws {
        let (h, sink) = try await harness("rules:\n- level: Metadata\n")
        let (code, _) = await h.call("POST", "/api/v1/namespaces/default/secrets", secret, headers: ["user-agent": "kubectl/v1.37.0"])
        XCTAssertEqual(code, 201)
        let events = sink.all
        XCTAssertEqual(events.map(\.stage), [.requestReceived, .responseComplete])
        let done = events[1]
        XCTAssertEqual(done.level, .metadata)
        XCTAssertEqual(done.verb, "create")
        XCTAssertEqual(done.user?.name, "admin")
        XCTAssertEqual(done.userAgent, "kubectl/v1.37.0")
        XCTAssertEqual(done.requestURI, "/api/v1/namespaces/default/secrets")
        XCTAssertEqual(done.objectRef, AuditObjectReference(resource: "secrets", namespace: "default", name: "db", apiVersion: "v1"))
        XCTAssertEqual(done.responseStatus?["code"]?.int, 201)
        XCTAssertNil(done.requestObject)
        XCTAssertNil(done.responseObject)
        XCTAssertEqual(events[0].auditID, done.auditID)
        XCTAssertEqual(events[0].stageTimestamp, events[0].requestReceivedTimestamp)
        XCTAssertTrue(done.annotations.contains { $0 == ("authorization.k8s.io/decision", "allow") })
        for line in sink.lines {
            XCTAssertFalse(line.contains("hunter2"), line)
            XCTAssertFalse(line.contains("c2VjcmV0LXRva2Vu"), line)
            XCTAssertFalse(line.contains("\"data\""), line)
        }
    }

    func testRequestAndRequestResponseLevelsAddTheBodies() async throws {
        let (h, sink) = try await harness("""
        omitStages: [RequestReceived]
        rules:
        - level: RequestResponse
          resources: [{group: "", resources: [configmaps]}]
        - level: Request
          verbs: [create]
        """)
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c1", ["k": "v1"]))
        _ = await h.call("POST", "/api/v1/namespaces/default/secrets", secret)
        _ = await h.call("GET", "/api/v1/namespaces/default/secrets/db")
        let events = sink.all
        XCTAssertEqual(events.count, 2, "RequestReceived is omitted and reading a secret matches no rule")
        XCTAssertEqual(events[0].requestObject?["data"], ["k": "v1"])
        XCTAssertEqual(events[0].responseObject?[path: ["metadata", "name"]], "c1")
        XCTAssertNotNil(events[0].responseObject?[path: ["metadata", "uid"]])
        XCTAssertEqual(events[1].level, .request)
        XCTAssertEqual(events[1].requestObject?[path: ["metadata", "name"]], "db")
        XCTAssertNil(events[1].responseObject)
    }

    func testAProtobufBodyAsKubectlSendsItIsNamedAndLoggedAsJSON() async throws {
        let (h, sink) = try await harness("rules:\n- level: Request\n")
        var meta = ProtobufWriter()
        meta.string(1, "from-protobuf")
        var entry = ProtobufWriter()
        entry.string(1, "k")
        entry.string(2, "v")
        var cm = ProtobufWriter()
        cm.message(1, meta)
        cm.message(2, entry)
        var typeMeta = ProtobufWriter()
        typeMeta.string(1, "v1")
        typeMeta.string(2, "ConfigMap")
        var envelope = ProtobufWriter()
        envelope.message(1, typeMeta)
        envelope.lengthDelimited(2, cm.bytes)
        let req = HTTPRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps",
                              headers: ["content-type": "application/vnd.kubernetes.protobuf"],
                              body: Array("k8s".utf8) + [0] + envelope.bytes, clientCertificate: APITestHarness.admin)
        let resp = await h.service.handle(req)
        XCTAssertEqual(resp.status, 201, String(decoding: resp.bodyBytes, as: UTF8.self))
        let done = try XCTUnwrap(sink.all.last)
        XCTAssertEqual(done.objectRef?.name, "from-protobuf")
        XCTAssertEqual(done.requestObject?["data"], ["k": "v"])
    }

    func testPodSecurityNamesItsPolicyAndAuditViolationsInTheEvent() async throws {
        let (h, sink) = try await harness("rules:\n- level: Metadata\n  resources: [{group: \"\", resources: [pods]}]\n")
        let ns: JSON = ["apiVersion": "v1", "kind": "Namespace",
                        "metadata": ["name": "psa", "labels": ["pod-security.kubernetes.io/enforce": "baseline",
                                                               "pod-security.kubernetes.io/audit": "restricted"]]]
        _ = await h.call("POST", "/api/v1/namespaces", ns)
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "plain"],
                         "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        let (code, _) = await h.call("POST", "/api/v1/namespaces/psa/pods", pod)
        XCTAssertEqual(code, 201)
        let done = try XCTUnwrap(sink.all.last)
        let notes = Dictionary(done.annotations, uniquingKeysWith: { $1 })
        XCTAssertEqual(notes["pod-security.kubernetes.io/enforce-policy"], "baseline:latest")
        XCTAssertTrue(notes["pod-security.kubernetes.io/audit-violations"]?
            .hasPrefix(#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#) == true, "\(notes)")
    }

    func testOmitManagedFieldsDropsThemFromLoggedObjects() async throws {
        let (h, sink) = try await harness("omitManagedFields: true\nrules:\n- level: RequestResponse\n  verbs: [create, list]\n")
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c1"))
        _ = await h.call("GET", "/api/v1/namespaces/default/configmaps")
        let events = sink.all.filter { $0.stage == .responseComplete }
        XCTAssertEqual(events.count, 2)
        XCTAssertNotNil(events[0].responseObject?[path: ["metadata", "name"]])
        XCTAssertNil(events[0].responseObject?[path: ["metadata", "managedFields"]])
        let items = events[1].responseObject?["items"]?.array ?? []
        XCTAssertFalse(items.isEmpty)
        XCTAssertTrue(items.allSatisfy { $0[path: ["metadata", "managedFields"]] == nil })
    }

    func testARefusalRecordsItsStatusAndTheDecision() async throws {
        let (h, sink) = try await harness("rules:\n- level: Metadata\n")
        let bob = UserInfo(name: "bob", groups: ["system:authenticated"])
        let (code, _) = await h.call("GET", "/api/v1/namespaces/default/secrets?limit=5", user: bob)
        XCTAssertEqual(code, 403)
        let done = try XCTUnwrap(sink.all.last)
        XCTAssertEqual(done.requestURI, "/api/v1/namespaces/default/secrets?limit=5")
        XCTAssertEqual(done.verb, "list")
        XCTAssertEqual(done.responseStatus?["code"]?.int, 403)
        XCTAssertEqual(done.responseStatus?["reason"], "Forbidden")
        XCTAssertEqual(done.responseStatus?["status"], "Failure")
        XCTAssertTrue(done.responseStatus?["message"]?.string?.contains("User \"bob\" cannot list resource \"secrets\"") == true)
        XCTAssertTrue(done.annotations.contains { $0 == ("authorization.k8s.io/decision", "forbid") })
    }

    func testFailedAuthenticationIsOneResponseStartedEvent() async throws {
        let (h, sink) = try await harness("rules:\n- level: Metadata\n")
        let (code, _) = await h.call("GET", "/api/v1/pods", user: nil, headers: ["authorization": "Bearer nonsense"])
        XCTAssertEqual(code, 401)
        let events = sink.all
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events[0].stage, .responseStarted)
        XCTAssertNil(events[0].user)
        XCTAssertEqual(JSONSerializer.string(events[0].responseStatus!),
                       #"{"metadata":{},"message":"Authentication failed, attempted: bearer","code":401}"#)
        XCTAssertTrue(sink.lines[0].contains(#""user":{}"#))
    }

    func testImpersonationLogsTheCallerAndWhoItActedAs() async throws {
        let (h, sink) = try await harness("rules:\n- level: None\n  users: [bob]\n- level: Metadata\n")
        let (code, _) = await h.call("GET", "/api/v1/namespaces/default/pods", headers: ["impersonate-user": "bob", "impersonate-group": "devs"])
        XCTAssertEqual(code, 403)
        let done = try XCTUnwrap(sink.all.last, "the policy is matched against the real caller, not the impersonated one")
        XCTAssertEqual(done.user?.name, "admin")
        XCTAssertEqual(done.impersonatedUser, UserInfo(name: "bob", groups: ["devs", "system:authenticated"]))
    }

    func testAnEventThatCannotBeStoredRefusesTheRequest() async throws {
        let (h, _) = try await harness("rules:\n- level: Metadata\n", sink: MemoryAuditSink(refuse: true))
        let (code, body) = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("unaudited"))
        XCTAssertEqual(code, 500)
        XCTAssertEqual(body["message"], "Internal error occurred: failed to store audit event")
        let stored = try await h.backend.list(prefix: "/", revision: 0, startAfter: nil, limit: 100_000)
        XCTAssertFalse(stored.items.contains { $0.key.hasSuffix("/unaudited") }, "nothing of an unaudited request is done")
    }

    func testAWatchIsStartedThenCompleteWhenItsReaderLeaves() async throws {
        let (h, sink) = try await harness("rules:\n- level: Metadata\n  verbs: [watch]\n")
        let resp = await h.service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps?watch=true",
                                                      clientCertificate: APITestHarness.admin))
        XCTAssertEqual(resp.status, 200)
        XCTAssertNotNil(resp.header("Audit-Id"))
        XCTAssertEqual(sink.all.map(\.stage), [.requestReceived, .responseStarted])
        guard case .stream(let chunks) = resp.body else { return XCTFail("a watch streams") }
        let reader = Task { for await _ in chunks {} }
        _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("c1"))
        reader.cancel()
        await reader.value
        XCTAssertEqual(sink.all.map(\.stage), [.requestReceived, .responseStarted, .responseComplete])
        XCTAssertEqual(sink.all.last?.responseStatus?["code"]?.int, 200)
    }

    func testNoneLevelAndHealthChecks() async throws {
        let (h, sink) = try await harness("rules:\n- level: None\n  nonResourceURLs: [\"/healthz*\"]\n- level: Metadata\n  nonResourceURLs: [\"*\"]\n")
        _ = await h.call("GET", "/healthz")
        _ = await h.call("GET", "/version", user: nil)
        _ = await h.call("GET", "/api/v1/namespaces")
        XCTAssertEqual(sink.all.map(\.requestURI), ["/version", "/version"])
        XCTAssertEqual(sink.all.first?.user?.name, "system:anonymous")
        XCTAssertNil(sink.all.first?.objectRef)
    }

    // MARK: the log file

    func temporaryDirectory() throws -> String {
        var template = Array("/tmp/edgectl-audit-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        return String(cString: p)
    }

    func event(_ n: Int) -> AuditEvent {
        AuditEvent(level: .metadata, auditID: String(n), requestURI: "/api/v1/pods", verb: "list",
                   user: UserInfo(name: "admin", groups: []), received: Timestamp(seconds: 1_764_950_400))
    }

    func files(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func testTheFileIsPrivateOneEventPerLineAndRotates() throws {
        let dir = try temporaryDirectory() + "/logs"
        let clock = Mutex(Timestamp(seconds: 1_764_950_400))
        let log = try AuditLogFile(.init(path: dir + "/audit.log", maxBackups: 2, maxSizeMB: 1), clock: { clock.withLock { $0 } })
        var st = stat()
        XCTAssertEqual(stat(dir + "/audit.log", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertEqual(stat(dir, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o700)
        XCTAssertTrue(log.write(event(0)))
        let line = FileBytes.read(dir + "/audit.log")
        XCTAssertEqual(line.last, 0x0A)
        XCTAssertEqual(try JSONParser.parse(Array(line.dropLast()))["auditID"], "0")
        // About 300 bytes a line: 1 MB holds some 3,500; four rotations' worth, one minute apart.
        let perFile = (1 << 20) / line.count + 1
        for n in 1...(perFile * 4) {
            if n % perFile == 0 { clock.withLock { $0 = $0.adding(seconds: 60) } }
            XCTAssertTrue(log.write(event(n)))
        }
        XCTAssertEqual(files(dir), ["audit-2025-12-05T16-02-00.000.log", "audit-2025-12-05T16-03-00.000.log", "audit.log"])
        for name in files(dir) {
            XCTAssertLessThanOrEqual(FileBytes.read(dir + "/" + name).count, 1 << 20)
        }
    }

    func testOldFilesGoByAge() throws {
        let dir = try temporaryDirectory()
        let clock = Mutex(Timestamp(seconds: 1_764_950_400))
        let log = try AuditLogFile(.init(path: dir + "/audit", maxAgeDays: 1, maxSizeMB: 1), clock: { clock.withLock { $0 } })
        let big = String(repeating: "x", count: 600_000)
        var e = event(0)
        e.userAgent = big
        XCTAssertTrue(log.write(e))
        XCTAssertTrue(log.write(e))
        XCTAssertEqual(files(dir), ["audit", "audit-2025-12-05T16-00-00.000"])
        clock.withLock { $0 = $0.adding(seconds: 2 * 86_400) }
        XCTAssertTrue(log.write(e))
        XCTAssertEqual(files(dir), ["audit", "audit-2025-12-07T16-00-00.000"], "the two-day-old file is gone")
    }
}

/// A whole small file's bytes (tests).
enum FileBytes {
    static func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }
}
