import XCTest
@testable import EdgeNet

final class IPTablesSyncerTests: XCTestCase {
    let jump = IPTablesJump(table: "nat", chain: "PREROUTING", comment: "test portals", target: "EDGE-TOP")

    func rules(_ a: [String], _ b: [String] = ["-j RETURN"]) -> IPTablesRules {
        var r = IPTablesRules()
        r.set("nat", "EDGE-TOP", ["-j EDGE-A", "-j EDGE-B"])
        r.set("nat", "EDGE-A", a)
        r.set("nat", "EDGE-B", b)
        r.jumps = [jump]
        return r
    }

    func testTheFirstSyncIsFullAndInsertsTheJumpOnce() throws {
        let kernel = FakeIPTables()
        kernel.edit("nat") { $0[0].rules = ["-j SOMEONE-ELSES"] }
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        let o = try syncer.sync(rules(["-j ACCEPT"]), mode: .partial)
        XCTAssertEqual(o.mode, .full)
        XCTAssertEqual(o.jumpsInserted, 1)
        XCTAssertEqual(kernel.rules("nat", "PREROUTING"), ["-m comment --comment \"test portals\" -j EDGE-TOP", "-j SOMEONE-ELSES"],
                       "our jump first, the host's rule kept")
        XCTAssertEqual(kernel.rules("nat", "EDGE-A"), ["-j ACCEPT"])
        let again = try syncer.sync(rules(["-j ACCEPT"]), mode: .verify)
        XCTAssertEqual(again.jumpsInserted, 0)
        XCTAssertEqual(kernel.rules("nat", "PREROUTING")?.count, 2)
    }

    func testAPartialSyncRewritesOnlyTheChainThatChanged() throws {
        let kernel = FakeIPTables()
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(rules(["-j ACCEPT"]), mode: .full)
        let o = try syncer.sync(rules(["-j DROP"]), mode: .partial)
        XCTAssertEqual(o.mode, .partial)
        XCTAssertEqual(o.chainsWritten, 1)
        XCTAssertEqual(kernel.restores.last, "*nat\n:EDGE-A - [0:0]\n-A EDGE-A -j DROP\nCOMMIT\n")
        XCTAssertEqual(kernel.rules("nat", "EDGE-A"), ["-j DROP"])
        XCTAssertEqual(try syncer.sync(rules(["-j DROP"]), mode: .partial).inputBytes, 0, "nothing changed: no iptables call")
        XCTAssertEqual(kernel.restores.count, 2)
    }

    func testAChainNoLongerWantedIsFlushedAndDeletedInTheSameTransaction() throws {
        let kernel = FakeIPTables()
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(rules(["-j ACCEPT"]), mode: .full)
        var fewer = IPTablesRules()
        fewer.set("nat", "EDGE-TOP", ["-j EDGE-A"])
        fewer.set("nat", "EDGE-A", ["-j ACCEPT"])
        fewer.jumps = [jump]
        let o = try syncer.sync(fewer, mode: .partial)
        XCTAssertEqual(o.chainsDeleted, 1)
        XCTAssertEqual(kernel.restores.last, "*nat\n:EDGE-TOP - [0:0]\n:EDGE-B - [0:0]\n-A EDGE-TOP -j EDGE-A\n-X EDGE-B\nCOMMIT\n")
        XCTAssertFalse(kernel.chains("nat").contains("EDGE-B"))
    }

    func testVerifyRepairsRulesAndJumpsDeletedByHandAndLeavesOtherChainsAlone() throws {
        let kernel = FakeIPTables()
        kernel.edit("nat") { $0.append((name: "KUBE-SERVICES", rules: ["-j RETURN"])) }
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(rules(["-j ACCEPT", "-j DROP"]), mode: .full)
        kernel.edit("nat") { chains in
            chains[chains.firstIndex { $0.name == "EDGE-A" }!].rules.removeFirst()
            chains[0].rules = []
        }
        XCTAssertEqual(try syncer.sync(rules(["-j ACCEPT", "-j DROP"]), mode: .partial).inputBytes, 0, "a partial sync trusts its memory")
        let o = try syncer.sync(rules(["-j ACCEPT", "-j DROP"]), mode: .verify)
        XCTAssertEqual(o.chainsWritten, 1)
        XCTAssertEqual(o.jumpsInserted, 1)
        XCTAssertEqual(kernel.rules("nat", "EDGE-A"), ["-j ACCEPT", "-j DROP"])
        XCTAssertEqual(kernel.rules("nat", "PREROUTING")?.count, 1)
        XCTAssertEqual(kernel.rules("nat", "KUBE-SERVICES"), ["-j RETURN"], "another owner's chain is never touched")
    }

    func testAFullSyncRemovesLeftoverChainsOfOursFromAnEarlierRun() throws {
        let kernel = FakeIPTables()
        kernel.edit("nat") { $0.append((name: "EDGE-SEP-OLD", rules: ["-j DNAT --to-destination 10.42.0.9:80"])) }
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        let o = try syncer.sync(rules(["-j ACCEPT"]), mode: .full)
        XCTAssertEqual(o.chainsDeleted, 1)
        XCTAssertFalse(kernel.chains("nat").contains("EDGE-SEP-OLD"))
    }

    func testAFailedTransactionMakesTheNextSyncFull() throws {
        let kernel = FakeIPTables()
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(rules(["-j ACCEPT"]), mode: .full)
        kernel.state.withLock { $0.failNextRestore = true }
        XCTAssertThrowsError(try syncer.sync(rules(["-j DROP"]), mode: .partial)) { e in
            XCTAssertTrue("\(e)".contains("injected failure"), "\(e)")
        }
        XCTAssertEqual(try syncer.sync(rules(["-j DROP"]), mode: .partial).mode, .full)
        XCTAssertEqual(kernel.rules("nat", "EDGE-A"), ["-j DROP"])
    }

    func testTheCheapCheckSeesAMissingJumpOrDispatchRuleButNotPerServiceChains() throws {
        let kernel = FakeIPTables()
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        let want = rules(["-j ACCEPT"])
        _ = try syncer.sync(want, mode: .full)
        let dispatch: (String) -> Bool = { $0 == "EDGE-TOP" }
        XCTAssertTrue(try syncer.looksIntact(want, spotCheck: dispatch))
        kernel.edit("nat") { $0[$0.firstIndex { $0.name == "EDGE-A" }!].rules = [] }
        XCTAssertTrue(try syncer.looksIntact(want, spotCheck: dispatch), "per-service chains wait for the full verify")
        kernel.edit("nat") { $0[$0.firstIndex { $0.name == "EDGE-TOP" }!].rules.removeLast() }
        XCTAssertFalse(try syncer.looksIntact(want, spotCheck: dispatch))
        _ = try syncer.sync(want, mode: .verify)
        XCTAssertTrue(try syncer.looksIntact(want, spotCheck: dispatch))
        kernel.edit("nat") { $0[0].rules = [] }
        XCTAssertFalse(try syncer.looksIntact(want, spotCheck: dispatch), "the jump from PREROUTING is gone")
    }

    func testRemoveAllDeletesOurChainsAndJumpsOnly() throws {
        let kernel = FakeIPTables()
        kernel.edit("nat") { $0[0].rules = ["-j KUBE-SERVICES"]; $0.append((name: "KUBE-SERVICES", rules: [])) }
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(rules(["-j ACCEPT"]), mode: .full)
        XCTAssertEqual(try syncer.removeAll(), 3)
        XCTAssertEqual(kernel.chains("nat").filter { $0.hasPrefix("EDGE-") }, [])
        XCTAssertEqual(kernel.rules("nat", "PREROUTING"), ["-j KUBE-SERVICES"])
    }

    /// The nftables mode removes the iptables mode's chains but keeps EDGE-FORWARD and its jump
    /// (a host that drops forwarded traffic needs it through the switch): its rules that jump to a
    /// removed chain go, the others stay, and the transaction commits.
    func testRemoveAllKeepingAChainDropsOnlyItsRulesIntoRemovedChains() throws {
        let kernel = FakeIPTables()
        kernel.edit("filter") { chains in
            chains[1].rules = ["-m comment --comment \"edgectl forwarding rules\" -j EDGE-FORWARD", "-m conntrack --ctstate NEW -j EDGE-SERVICES"]
            chains.append((name: "EDGE-FORWARD", rules: ["-m conntrack --ctstate NEW -j EDGE-SERVICES", "-s 10.42.0.0/16 -j ACCEPT"]))
            chains.append((name: "EDGE-SERVICES", rules: ["-d 10.43.0.9/32 -p tcp --dport 80 -j REJECT"]))
        }
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        XCTAssertEqual(try syncer.removeAll(keeping: ["EDGE-FORWARD"]), 1)
        XCTAssertEqual(kernel.chains("filter"), ["INPUT", "FORWARD", "OUTPUT", "EDGE-FORWARD"])
        XCTAssertEqual(kernel.rules("filter", "EDGE-FORWARD"), ["-s 10.42.0.0/16 -j ACCEPT"])
        XCTAssertEqual(kernel.rules("filter", "FORWARD"), ["-m comment --comment \"edgectl forwarding rules\" -j EDGE-FORWARD"])
    }
}
