import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

final class PodSecurityAdmissionTests: XCTestCase {
    func store(labels: JSON) async throws -> ObjectStore {
        let s = ObjectStore(backend: MemoryBackend(), catalog: BuiltinStrategies.catalog(services: try ServiceAllocator()))
        _ = try await s.create(BuiltinResources.namespaces, namespace: nil, object: ["metadata": ["name": "psa", "labels": labels]], context: .apiServer)
        return s
    }

    func pod(_ name: String, _ container: JSON = [:], spec: JSON = [:]) -> JSON {
        var c: JSON = ["name": "c", "image": "busybox"]
        for (k, v) in container.object ?? JSONObject() { c[k] = v }
        var s: JSON = ["containers": [c]]
        for (k, v) in spec.object ?? JSONObject() { s[k] = v }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": s]
    }

    static let compliant: JSON = ["securityContext": ["allowPrivilegeEscalation": false, "runAsNonRoot": true,
                                                      "capabilities": ["drop": ["ALL"]], "seccompProfile": ["type": "RuntimeDefault"]]]

    func testRestrictedRefusesAPrivilegedPodWithUpstreamsMessage() async throws {
        let s = try await store(labels: ["pod-security.kubernetes.io/enforce": "restricted"])
        do {
            _ = try await s.create(BuiltinResources.pods, namespace: "psa", object: pod("root", ["securityContext": ["privileged": true]]),
                                   context: .apiServer)
            XCTFail("a privileged pod was admitted")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 403)
            XCTAssertEqual(e.message, #"pods "root" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), privileged (container "c" must not set securityContext.privileged=true), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#)
        }
        let stored = try await s.getIfExists(BuiltinResources.pods, namespace: "psa", name: "root")
        XCTAssertNil(stored)
        let (_, warnings) = try await s.create(BuiltinResources.pods, namespace: "psa", object: pod("ok", Self.compliant), context: .apiServer)
        XCTAssertEqual(warnings, [])
    }

    func testWarnAnswersWithWarningsAndWorkloadsAreWarnedNotRefused() async throws {
        let s = try await store(labels: ["pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"])
        let (_, warnings) = try await s.create(BuiltinResources.pods, namespace: "psa", object: pod("plain"), context: .apiServer)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].hasPrefix(#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#), warnings[0])
        do {
            _ = try await s.create(BuiltinResources.pods, namespace: "psa", object: pod("hostnet", spec: ["hostNetwork": true]), context: .apiServer)
            XCTFail("hostNetwork admitted at baseline")
        } catch let e as APIError {
            XCTAssertTrue(e.message.hasSuffix(#"violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)"#), e.message)
        }
        let deployment: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                                "spec": ["selector": ["matchLabels": ["a": "b"]],
                                         "template": ["metadata": ["labels": ["a": "b"]], "spec": pod("x", spec: ["hostNetwork": true])["spec"] ?? [:]]]]
        let (_, dw) = try await s.create(BuiltinResources.deployments, namespace: "psa", object: deployment, context: .apiServer)
        XCTAssertTrue(dw.contains(#"would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)"#), "\(dw)")
    }
}
