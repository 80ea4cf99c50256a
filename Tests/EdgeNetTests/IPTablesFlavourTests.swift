import XCTest
@testable import EdgeNet

final class IPTablesFlavourTests: XCTestCase {
    let kubeHint = "*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n"
    let fewRules = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n"
    let moreRules = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-A INPUT -p tcp -j ACCEPT\nCOMMIT\n"

    func testAHintChainDecidesFirstWithNftPreferred() {
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: kubeHint, legacySave: moreRules), .nft)
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: moreRules, legacySave: kubeHint), .legacy)
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: kubeHint, legacySave: kubeHint), .nft)
    }

    func testOtherwiseTheBackEndWithMoreRulesWinsAndATieIsNft() {
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: fewRules, legacySave: moreRules), .legacy)
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: moreRules, legacySave: fewRules), .nft)
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: "", legacySave: ""), .nft)
    }

    func testAMissingBackEndIsNotChosen() {
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: nil, legacySave: fewRules), .legacy)
        XCTAssertEqual(IPTablesFlavour.decide(nftSave: fewRules, legacySave: nil), .nft)
    }

    func testDetectUsesTheBackEndThatAnswers() {
        let fake = FakeIPTables(flavour: "legacy")
        XCTAssertEqual(IPTablesFlavour.detect(fake, legacyTables: { nil }), .legacy, "only iptables-legacy-save answers")
    }

    func testLegacyToolsAreNotRunWhenNoLegacyTableIsInUse() {
        let nft = FakeIPTables(flavour: "nft")
        XCTAssertEqual(IPTablesFlavour.detect(nft, legacyTables: { nil }), .nft)
        XCTAssertEqual(IPTablesFlavour.detect(nft, legacyTables: { "" }), .nft)
        XCTAssertEqual(nft.state.withLock { $0.saves }, 2, "iptables-nft-save only; iptables-legacy-save would load the legacy modules")
    }

    func testSavedTableParsesOnlyItsTable() {
        let text = "*nat\n:PREROUTING ACCEPT [0:0]\n:EDGE-A - [0:0]\n-A PREROUTING -j EDGE-A\n-A EDGE-A -d 1.2.3.4/32 -j DNAT --to-destination 5.6.7.8:80\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n"
        let nat = SavedTable.parse(text, table: "nat")
        XCTAssertEqual(nat.chains["PREROUTING"], ["-j EDGE-A"])
        XCTAssertEqual(nat.chains["EDGE-A"], ["-d 1.2.3.4/32 -j DNAT --to-destination 5.6.7.8:80"])
        XCTAssertNil(nat.chains["INPUT"])
        XCTAssertEqual(SavedTable.parse(text, table: "filter").chains["INPUT"], ["-j DROP"])
    }

    func testOwnershipIsThePrefixWithinIptablesNameLimit() {
        XCTAssertTrue(ChainOwnership.owns("EDGE-SERVICES"))
        XCTAssertFalse(ChainOwnership.owns("KUBE-SERVICES"))
        XCTAssertFalse(ChainOwnership.owns("INPUT"))
        XCTAssertFalse(ChainOwnership.owns("EDGE-" + String(repeating: "X", count: 30)))
    }
}
