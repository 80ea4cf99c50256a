import XCTest
@testable import EdgeNet

final class NFTablesSyncerTests: XCTestCase {
    func rules(_ a: [String]) -> NFTablesRules {
        var r = NFTablesRules()
        r.chain("nat-prerouting", "{ type nat hook prerouting priority -100 ; policy accept ; }", ["jump top"])
        r.chain("top", "", ["ip daddr . meta l4proto . th dport vmap @m"])
        r.chain("a", "", a)
        r.sets["m"] = "map { type ipv4_addr . inet_proto . inet_service : verdict ; }"
        r.elements["m"] = ["10.43.0.1 . tcp . 80": "goto a"]
        return r
    }

    func syncer(_ kernel: FakeNFTables) -> NFTablesSyncer { NFTablesSyncer(client: NFTablesClient(runner: kernel, table: "edgectl-proxy")) }

    func testTheFirstSyncReplacesTheWholeTableInOneTransaction() throws {
        let kernel = FakeNFTables()
        kernel.edit { $0 = .init(chains: ["stale": ["drop"]]) }
        let s = syncer(kernel)
        let o = try s.sync(rules(["accept"]), mode: .partial)
        XCTAssertEqual(o.mode, .full)
        XCTAssertEqual(kernel.scripts.count, 1)
        XCTAssertTrue(kernel.scripts[0].hasPrefix("add table ip edgectl-proxy\ndelete table ip edgectl-proxy\nadd table ip edgectl-proxy\n"), kernel.scripts[0])
        XCTAssertEqual(kernel.table?.chains["stale"], nil, "leftovers go")
        XCTAssertEqual(kernel.table?.chains["a"], ["accept"])
        XCTAssertEqual(kernel.table?.elements["m"], ["10.43.0.1 . tcp . 80": "goto a"])
    }

    func testAPartialSyncFlushesAndRewritesOnlyTheChainThatChanged() throws {
        let kernel = FakeNFTables()
        let s = syncer(kernel)
        _ = try s.sync(rules(["accept"]), mode: .full)
        let o = try s.sync(rules(["drop"]), mode: .partial)
        XCTAssertEqual(o.mode, .partial)
        XCTAssertEqual(kernel.scripts.last, "flush chain ip edgectl-proxy a\nadd rule ip edgectl-proxy a drop\n")
        XCTAssertEqual(try s.sync(rules(["drop"]), mode: .partial).inputBytes, 0)
        XCTAssertEqual(kernel.scripts.count, 2, "nothing changed: no nft run")
    }

    func testAChangedElementIsDeletedAndAddedAndAChainThatGoesIsDeletedAfterIt() throws {
        let kernel = FakeNFTables()
        let s = syncer(kernel)
        _ = try s.sync(rules(["accept"]), mode: .full)
        var next = rules(["accept"])
        next.removeChain("a")
        next.chain("b", "", ["drop"])
        next.elements["m"] = ["10.43.0.1 . tcp . 80": "goto b"]
        let o = try s.sync(next, mode: .partial)
        XCTAssertEqual(kernel.scripts.last, """
            add chain ip edgectl-proxy b
            flush chain ip edgectl-proxy a
            delete element ip edgectl-proxy m { 10.43.0.1 . tcp . 80 }
            add rule ip edgectl-proxy b drop
            add element ip edgectl-proxy m { 10.43.0.1 . tcp . 80 : goto b }
            delete chain ip edgectl-proxy a

            """)
        XCTAssertEqual(o.chainsDeleted, 1)
        XCTAssertEqual(kernel.table?.elements["m"], ["10.43.0.1 . tcp . 80": "goto b"])
    }

    func testVerifyLeavesAnIntactTableAloneAndRebuildsOneChangedByHand() throws {
        let kernel = FakeNFTables()
        let s = syncer(kernel)
        _ = try s.sync(rules(["accept"]), mode: .full)
        XCTAssertEqual(try s.sync(rules(["accept"]), mode: .verify).mode, .verify)
        XCTAssertEqual(kernel.scripts.count, 1, "intact: listed, not rewritten")
        kernel.edit { $0?.chains["top"] = [] }
        XCTAssertEqual(try s.sync(rules(["accept"]), mode: .verify).mode, .full)
        XCTAssertEqual(kernel.table?.chains["top"]?.count, 1)
        kernel.edit { $0?.elements["m"] = [:] }
        XCTAssertEqual(try s.sync(rules(["accept"]), mode: .verify).mode, .full)
        XCTAssertEqual(kernel.table?.elements["m"]?.count, 1)
        kernel.edit { $0 = nil }
        XCTAssertEqual(try s.sync(rules(["accept"]), mode: .verify).mode, .full)
        XCTAssertEqual(kernel.table?.chains["a"], ["accept"], "a deleted table comes back")
    }

    func testAFailedTransactionMakesTheNextSyncFull() throws {
        let kernel = FakeNFTables()
        let s = syncer(kernel)
        _ = try s.sync(rules(["accept"]), mode: .full)
        kernel.edit { $0?.chains["a"] = nil }  // the partial below cannot flush a chain that is gone
        XCTAssertThrowsError(try s.sync(rules(["drop"]), mode: .partial))
        XCTAssertEqual(try s.sync(rules(["drop"]), mode: .partial).mode, .full)
        XCTAssertEqual(kernel.table?.chains["a"], ["drop"])
    }

    func testListingCountsRulesPerChainAndElementsPerMap() {
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "ip", "name": "t"}},
             {"chain": {"family": "ip", "table": "t", "name": "a"}}, {"chain": {"family": "ip", "table": "t", "name": "b"}},
             {"rule": {"chain": "a", "expr": []}}, {"rule": {"chain": "a", "expr": []}},
             {"map": {"name": "m", "elem": [[1, 2], [3, 4]]}}, {"set": {"name": "s"}}]}
            """
        XCTAssertEqual(NFTablesListing.parse(json), NFTablesListing(ruleCounts: ["a": 2, "b": 0], elementCounts: ["m": 2, "s": 0]))
        XCTAssertNil(NFTablesListing.parse("Error: no such table"))
    }
}
