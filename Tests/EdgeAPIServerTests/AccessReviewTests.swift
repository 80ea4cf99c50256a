import XCTest
import EdgeAPI
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// The review kinds and impersonation through the API, over the bootstrap policy.
final class AccessReviewTests: XCTestCase {
    let bob = UserInfo(name: "bob", groups: ["system:authenticated"])

    func ssar(_ verb: String, _ resource: String, namespace: String = "default") -> JSON {
        ["kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
         "spec": ["resourceAttributes": ["verb": .string(verb), "resource": .string(resource), "namespace": .string(namespace)]]]
    }

    func bindBobToPodReader(_ h: APITestHarness) async throws {
        _ = await h.call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
                         ["metadata": ["name": "pod-reader"], "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]]])
        let (code, _) = await h.call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
                                     ["metadata": ["name": "bob"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"],
                                      "subjects": [["kind": "User", "name": "bob"]]])
        XCTAssertEqual(code, 201)
        try await h.service.rbac.load()
    }

    func testSelfSubjectAccessReviewAnswersForTheCaller() async throws {
        let h = try await APITestHarness()
        try await bindBobToPodReader(h)
        var (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar("list", "pods"), user: bob)
        XCTAssertEqual(code, 201)
        XCTAssertEqual(review[path: ["status", "allowed"]], true)
        (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar("delete", "pods"), user: bob)
        XCTAssertEqual(review[path: ["status", "allowed"]], false)
        (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                      ["spec": [:]], user: bob)
        XCTAssertEqual(code, 422)
        (code, _) = await h.call("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        XCTAssertEqual(code, 405)
        (code, _) = await h.call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                 ["spec": ["user": "bob", "resourceAttributes": ["verb": "get", "resource": "pods", "namespace": "default"]]], user: bob)
        XCTAssertEqual(code, 403, "only those allowed to create SubjectAccessReviews may ask about others")
        (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                      ["spec": ["user": "bob", "resourceAttributes": ["verb": "get", "resource": "pods", "namespace": "default"]]])
        XCTAssertEqual(code, 201)
        XCTAssertEqual(review[path: ["status", "allowed"]], true)
        (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/namespaces/kube-system/localsubjectaccessreviews",
                                      ["spec": ["user": "bob", "resourceAttributes": ["verb": "get", "resource": "pods"]]])
        XCTAssertEqual(code, 201)
        XCTAssertEqual(review[path: ["status", "allowed"]], false)
    }

    func testRulesReviewWhoAmIAndTokenReview() async throws {
        let h = try await APITestHarness()
        try await bindBobToPodReader(h)
        var (code, review) = await h.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                                          ["spec": ["namespace": "default"]], user: bob)
        XCTAssertEqual(code, 201)
        let rules = review[path: ["status", "resourceRules"]]?.array ?? []
        XCTAssertTrue(rules.contains { $0["resources"] == ["pods"] && $0["verbs"] == ["get", "list"] }, "\(rules)")
        XCTAssertFalse((review[path: ["status", "nonResourceRules"]]?.array ?? []).isEmpty, "system:discovery's URLs")
        (code, review) = await h.call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ["spec": [:]], user: bob)
        XCTAssertEqual(code, 201)
        XCTAssertEqual(review[path: ["status", "userInfo", "username"]], "bob")
        (code, review) = await h.call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ["spec": ["token": "nonsense"]])
        XCTAssertEqual(code, 201)
        XCTAssertEqual(review[path: ["status", "authenticated"]], false)
    }

    func testImpersonationNeedsTheImpersonateVerb() async throws {
        let h = try await APITestHarness()
        try await bindBobToPodReader(h)
        // The admin may impersonate bob: the request is then bob's.
        var (code, _) = await h.call("GET", "/api/v1/namespaces/default/pods", headers: ["impersonate-user": "bob"])
        XCTAssertEqual(code, 200)
        var body: JSON
        (code, body) = await h.call("GET", "/api/v1/namespaces/default/secrets", headers: ["impersonate-user": "bob"])
        XCTAssertEqual(code, 403)
        XCTAssertTrue(body["message"]?.string?.contains("User \"bob\" cannot list resource \"secrets\"") ?? false, "\(body)")
        // bob may not impersonate the admin.
        (code, body) = await h.call("GET", "/api/v1/namespaces/default/pods", user: bob,
                                    headers: ["impersonate-user": "admin", "impersonate-group": "system:masters"])
        XCTAssertEqual(code, 403)
        XCTAssertEqual(body["message"]?.string,
                       "users \"admin\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope")
        (code, body) = await h.call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", ["spec": [:]],
                                    headers: ["impersonate-user": "carol", "impersonate-group": "devs,ops"])
        XCTAssertEqual(body[path: ["status", "userInfo", "groups"]], ["devs", "ops", "system:authenticated"])
    }
}
