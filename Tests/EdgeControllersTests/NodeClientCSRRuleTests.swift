import XCTest
@testable import EdgeControllers

final class NodeClientCSRRuleTests: XCTestCase {
    static let nodeGroups = ["system:nodes", "system:authenticated"]
    static let bootstrapGroups = ["system:bootstrappers", "system:authenticated"]

    func decide(cn: String = "system:node:pi-1", orgs: [String] = ["system:nodes"], usages: [String] = ["digital signature", "client auth"],
                user: String, groups: [String], existing: Set<String> = []) -> NodeClientCSRRule.Decision {
        NodeClientCSRRule.decide(commonName: cn, organizations: orgs, usages: usages, username: user, groups: groups,
                                 nodeExists: { existing.contains($0) })
    }

    func testANodeRenewingItsOwnCertificateIsApproved() {
        XCTAssertEqual(decide(user: "system:node:pi-1", groups: Self.nodeGroups, existing: ["pi-1"]), .approveRenewal)
        XCTAssertEqual(decide(usages: ["digital signature", "key encipherment", "client auth"], user: "system:node:pi-1", groups: Self.nodeGroups),
                       .approveRenewal, "key encipherment is allowed (RSA keys)")
    }

    func testANodeAskingForAnotherNodesNameIsNotApproved() {
        XCTAssertEqual(decide(cn: "system:node:pi-2", user: "system:node:pi-1", groups: Self.nodeGroups, existing: ["pi-1", "pi-2"]), .leaveForAdmin)
        XCTAssertEqual(decide(cn: "system:node:pi-2", user: "system:node:pi-1", groups: Self.nodeGroups), .leaveForAdmin,
                       "not even a name no node has yet: that is a bootstrapper's request")
    }

    func testSelfRenewalNeedsTheNodesGroupAndTheNodesSubject() {
        XCTAssertEqual(decide(user: "system:node:pi-1", groups: ["system:authenticated"]), .leaveForAdmin,
                       "a user merely named like the node (a token file entry) is not the node")
        XCTAssertEqual(decide(orgs: ["system:nodes", "system:masters"], user: "system:node:pi-1", groups: Self.nodeGroups), .leaveForAdmin)
        XCTAssertEqual(decide(orgs: [], user: "system:node:pi-1", groups: Self.nodeGroups), .leaveForAdmin)
        XCTAssertEqual(decide(usages: ["digital signature", "client auth", "server auth"], user: "system:node:pi-1", groups: Self.nodeGroups),
                       .leaveForAdmin)
        XCTAssertEqual(decide(usages: ["client auth"], user: "system:node:pi-1", groups: Self.nodeGroups), .leaveForAdmin)
        XCTAssertEqual(decide(cn: "system:node:", user: "system:node:", groups: Self.nodeGroups), .leaveForAdmin)
    }

    func testABootstrapperGetsANewNameButNotAnExistingOne() {
        XCTAssertEqual(decide(user: "system:bootstrap:abcdef", groups: Self.bootstrapGroups), .approveJoin)
        XCTAssertEqual(decide(user: "system:bootstrap:abcdef", groups: Self.bootstrapGroups, existing: ["pi-1"]), .denyNodeExists(node: "pi-1"))
        XCTAssertEqual(decide(cn: "admin", orgs: ["system:masters"], user: "system:bootstrap:abcdef", groups: Self.bootstrapGroups), .leaveForAdmin)
    }

    func testAnyoneElseIsLeftForAnAdmin() {
        XCTAssertEqual(decide(user: "admin", groups: ["system:masters", "system:authenticated"]), .leaveForAdmin)
    }
}
