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

    func refusal(_ s: ObjectStore, _ obj: JSON) async throws -> String {
        do {
            _ = try await s.create(BuiltinResources.pods, namespace: "psa", object: obj, context: .apiServer)
            return "admitted"
        } catch let e as APIError {
            return e.message
        }
    }

    func testBaselineJudgesAppArmorSELinuxAndWindowsOptionsAsUpstream() async throws {
        let s = try await store(labels: ["pod-security.kubernetes.io/enforce": "baseline"])
        let prefix = #"pods "x" is forbidden: violates PodSecurity "baseline:latest": "#
        var m = try await refusal(s, pod("x", ["securityContext": ["appArmorProfile": ["type": "Unconfined"]]]))
        XCTAssertEqual(m, prefix + #"forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined")"#)
        var annotated = pod("x", spec: ["securityContext": ["appArmorProfile": ["type": "Unconfined"]]])
        annotated[path: ["metadata", "annotations"]] = ["container.apparmor.security.beta.kubernetes.io/c": "unconfined"]
        m = try await refusal(s, annotated)
        XCTAssertEqual(m, prefix + #"forbidden AppArmor profiles (pod and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/c="unconfined"")"#)
        m = try await refusal(s, pod("x", ["securityContext": ["seLinuxOptions": ["type": "spc_t", "user": "system_u"]]]))
        XCTAssertEqual(m, prefix + #"seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)"#)
        m = try await refusal(s, pod("x", spec: ["securityContext": ["windowsOptions": ["hostProcess": true]], "hostNetwork": true]))
        XCTAssertEqual(m, prefix + #"host namespaces (hostNetwork=true), hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)"#)
        // What baseline allows: the runtime's default or a local profile, a container SELinux type.
        var allowed = pod("ok", ["securityContext": ["appArmorProfile": ["type": "Localhost", "localhostProfile": "p"],
                                                     "seLinuxOptions": ["type": "container_init_t", "level": "s0:c1"]]],
                          spec: ["securityContext": ["appArmorProfile": ["type": "RuntimeDefault"], "windowsOptions": ["hostProcess": false]]])
        allowed[path: ["metadata", "annotations"]] = ["container.apparmor.security.beta.kubernetes.io/c": "localhost/p"]
        m = try await refusal(s, allowed)
        XCTAssertEqual(m, "admitted")
    }
}
