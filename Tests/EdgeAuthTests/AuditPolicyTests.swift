import EdgeAPI
import XCTest
@testable import EdgeAuth

final class AuditPolicyTests: XCTestCase {
    let alice = UserInfo(name: "alice", groups: ["devs", "system:authenticated"])

    func attrs(_ verb: String, _ info: RequestInfo?, path: String = "", user: UserInfo? = nil) -> AuditAttributes {
        AuditAttributes(user: user ?? alice, verb: verb, resource: info, path: path)
    }

    func pods(_ ns: String? = "default", name: String? = nil, sub: String? = nil, group: String = "") -> RequestInfo {
        RequestInfo(verb: "get", group: group, version: "v1", resource: "pods", namespace: ns, name: name, subresource: sub)
    }

    func testReadsUpstreamsExamplePolicy() throws {
        let policy = try AuditPolicyReader.load("""
        apiVersion: audit.k8s.io/v1 # This is required.
        kind: Policy
        # Don't generate audit events for all requests in RequestReceived stage.
        omitStages:
          - "RequestReceived"
        rules:
          # Log pod changes at RequestResponse level
          - level: RequestResponse
            resources:
            - group: ""
              resources: ["pods"]
          - level: Metadata
            resources:
            - group: ""
              resources: ["pods/log", "pods/status"]
          - level: None
            resources:
            - group: ""
              resources: ["configmaps"]
              resourceNames: ["controller-leader"]
          - level: None
            users: ["system:kube-proxy"]
            verbs: ["watch"]
            resources:
            - group: "" # core API group
              resources: ["endpoints", "services"]
          - level: None
            userGroups: ["system:authenticated"]
            nonResourceURLs:
            - "/api*" # Wildcard matching.
            - "/version"
          - level: Request
            resources:
            - group: "" # core API group
              resources: ["configmaps"]
            namespaces: ["kube-system"]
          - level: Metadata
            resources:
            - group: "" # core API group
              resources: ["secrets", "configmaps"]
          - level: Request
            resources:
            - group: "" # core API group
            - group: "extensions" # Version of group should NOT be included.
          - level: Metadata
            omitStages:
              - "RequestReceived"
        """)
        XCTAssertEqual(policy.rules.count, 9)
        XCTAssertEqual(policy.omitStages, [.requestReceived])
        XCTAssertEqual(policy.evaluate(attrs("get", pods())).level, .requestResponse)
        // A rule for "pods" does not cover its subresources.
        XCTAssertEqual(policy.evaluate(attrs("get", pods(sub: "log"))).level, .metadata)
        XCTAssertEqual(policy.evaluate(attrs("get", pods(sub: "exec"))).level, .request)
        let leader = RequestInfo(verb: "get", group: "", version: "v1", resource: "configmaps", namespace: "kube-system", name: "controller-leader")
        XCTAssertEqual(policy.evaluate(attrs("get", leader)).level, .none)
        var other = leader
        other.name = "other"
        XCTAssertEqual(policy.evaluate(attrs("get", other)).level, .request)
        other.namespace = "default"
        XCTAssertEqual(policy.evaluate(attrs("get", other)).level, .metadata)
        XCTAssertEqual(policy.evaluate(attrs("get", nil, path: "/apis/apps/v1")).level, .none)
        XCTAssertEqual(policy.evaluate(attrs("get", nil, path: "/version")).level, .none)
        XCTAssertEqual(policy.evaluate(attrs("get", nil, path: "/healthz")).level, .metadata)
        // Unauthenticated: a rule naming groups does not match.
        XCTAssertEqual(policy.evaluate(AuditAttributes(user: nil, verb: "get", resource: nil, path: "/api")).level, .metadata)
        let proxy = UserInfo(name: "system:kube-proxy", groups: [])
        let svc = RequestInfo(verb: "watch", group: "", version: "v1", resource: "services")
        XCTAssertEqual(policy.evaluate(attrs("watch", svc, user: proxy)).level, .none)
        XCTAssertEqual(policy.evaluate(attrs("list", svc, user: proxy)).level, .request)
        let deploy = RequestInfo(verb: "get", group: "apps", version: "v1", resource: "deployments", namespace: "default")
        XCTAssertEqual(policy.evaluate(attrs("get", deploy)).level, .metadata)
        XCTAssertEqual(policy.evaluate(attrs("get", deploy)).omitStages, [.requestReceived])
    }

    func testNoMatchIsNoneAndTheFirstMatchWins() {
        let policy = AuditPolicy(rules: [AuditPolicyRule(level: .none, users: ["bob"]),
                                         AuditPolicyRule(level: .metadata, verbs: ["create"]),
                                         AuditPolicyRule(level: .requestResponse, verbs: ["create", "delete"])])
        XCTAssertEqual(policy.evaluate(attrs("create", pods())).level, .metadata)
        XCTAssertEqual(policy.evaluate(attrs("delete", pods())).level, .requestResponse)
        XCTAssertEqual(policy.evaluate(attrs("get", pods())).level, .none)
        XCTAssertEqual(policy.evaluate(attrs("create", pods(), user: UserInfo(name: "bob", groups: []))).level, .none)
    }

    func testResourceWildcardsAndScopes() {
        func rule(_ res: [String], ns: [String] = []) -> AuditPolicy {
            AuditPolicy(rules: [AuditPolicyRule(level: .metadata, resources: [.init(group: "", resources: res)], namespaces: ns)])
        }
        XCTAssertEqual(rule(["*/scale"]).evaluate(attrs("get", pods(sub: "scale"))).level, .metadata)
        XCTAssertEqual(rule(["*/scale"]).evaluate(attrs("get", pods())).level, .none)
        XCTAssertEqual(rule(["pods/*"]).evaluate(attrs("get", pods(sub: "log"))).level, .metadata)
        XCTAssertEqual(rule(["*"]).evaluate(attrs("get", pods(sub: "log"))).level, .metadata)
        XCTAssertEqual(rule(["*"]).evaluate(attrs("get", pods(group: "apps"))).level, .none)
        // "" names cluster-scoped requests; a namespaces rule never matches a non-resource path.
        XCTAssertEqual(rule([], ns: [""]).evaluate(attrs("get", pods(nil))).level, .metadata)
        XCTAssertEqual(rule([], ns: [""]).evaluate(attrs("get", pods("default"))).level, .none)
        XCTAssertEqual(rule([], ns: [""]).evaluate(attrs("get", nil, path: "/healthz")).level, .none)
        let urls = AuditPolicy(rules: [AuditPolicyRule(level: .metadata, nonResourceURLs: ["/healthz*"])])
        XCTAssertEqual(urls.evaluate(attrs("get", nil, path: "/healthz/ping")).level, .metadata)
        XCTAssertEqual(urls.evaluate(attrs("get", pods())).level, .none)
    }

    func testRuleOmitStagesAddToThePolicysAndManagedFieldsFollowTheRule() throws {
        let policy = try AuditPolicyReader.load("""
        {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "omitStages": ["RequestReceived"], "omitManagedFields": true,
         "rules": [{"level": "Request", "verbs": ["create"], "omitStages": ["ResponseStarted"], "omitManagedFields": false},
                   {"level": "Metadata"}]}
        """)
        let create = policy.evaluate(attrs("create", pods()))
        XCTAssertEqual(create.omitStages, [.requestReceived, .responseStarted])
        XCTAssertFalse(create.omitManagedFields)
        XCTAssertTrue(policy.evaluate(attrs("get", pods())).omitManagedFields)
    }

    func testRefusesWhatUpstreamRefuses() {
        func failure(_ text: String) -> String {
            do { _ = try AuditPolicyReader.load(text); return "loaded" } catch { return error.message }
        }
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\n"), "loaded illegal policy with 0 rules")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v2\nkind: Policy\nrules: [{level: None}]\n"),
                       "unknown group version field audit.k8s.io/v2, Kind=Policy in policy")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n"),
                       "rules[0].level: Unsupported value: \"Everything\": supported values: \"None\", \"Metadata\", \"Request\", \"RequestResponse\"")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- verbs: [get]\n"), "rules[0].level: Required value")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  nonResourceURLs: [healthz]\n"),
                       "rules[0].nonResourceURLs[0]: Invalid value: \"healthz\": non-resource URL rules must begin with a '/' character")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  nonResourceURLs: [\"/a*b\"]\n"),
                       "rules[0].nonResourceURLs[0]: Invalid value: \"/a*b\": non-resource URL wildcards '*' must be the final character of the rule")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  nonResourceURLs: [/x]\n  namespaces: [a]\n"),
                       "rules[0].nonResourceURLs: Invalid value: []string{\"/x\"}: rules cannot apply to both regular resources and non-resource URLs")
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  omitStages: [Later]\n"),
                       "rules[0].omitStages[0]: Invalid value: \"Later\": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic")
        XCTAssertTrue(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources: [{group: rbac.authorization.k8s.io/v1}]\n")
            .hasPrefix("rules[0].resources.group: Invalid value: \"rbac.authorization.k8s.io/v1\": a lowercase RFC 1123 subdomain must consist of"))
        XCTAssertEqual(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  verbs: get\n"),
                       "failed decoding: rules[0].verbs: expected a list, got string")
        XCTAssertTrue(failure("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources: [{resourceNames: [x]}]\n- level: Foo\n")
            .hasPrefix("[rules[0].resources.resourceNames: Invalid value: []string{\"x\"}: using resourceNames requires at least one resource, rules[1].level:"))
    }

    func testTheEventIsWrittenAsUpstreamsEncoderWritesIt() {
        var ev = AuditEvent(level: .metadata, auditID: "a1", requestURI: "/api/v1/namespaces/default/secrets", verb: "create",
                            user: alice, received: Timestamp(seconds: 1_764_950_400, nanoseconds: 123_456_789))
        ev.sourceIPs = ["127.0.0.1"]
        ev.userAgent = "kubectl/v1.37.0"
        ev.objectRef = AuditObjectReference(resource: "secrets", namespace: "default", name: "s", apiVersion: "v1")
        ev.stage = .responseComplete
        ev.stageTimestamp = Timestamp(seconds: 1_764_950_400, nanoseconds: 200_000_000)
        ev.responseStatus = AuditEvent.responseStatus(code: 201, body: nil)
        ev.annotate("authorization.k8s.io/decision", "allow")
        ev.annotate("authorization.k8s.io/reason", "")
        XCTAssertEqual(JSONSerializer.string(ev.json), #"""
        {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets","verb":"create","user":{"username":"alice","groups":["devs","system:authenticated"]},"sourceIPs":["127.0.0.1"],"userAgent":"kubectl/v1.37.0","objectRef":{"resource":"secrets","namespace":"default","name":"s","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestReceivedTimestamp":"2025-12-05T16:00:00.123456Z","stageTimestamp":"2025-12-05T16:00:00.200000Z","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
        """#)
        let status: JSON = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "no", "reason": "Forbidden",
                            "details": ["kind": "pods"], "code": 403]
        XCTAssertEqual(JSONSerializer.string(AuditEvent.responseStatus(code: 403, body: status)),
                       #"{"metadata":{},"status":"Failure","message":"no","reason":"Forbidden","details":{"kind":"pods"},"code":403}"#)
    }
}
