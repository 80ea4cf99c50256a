import XCTest
import EdgeAPI
@testable import EdgeNet

final class CNIConfigTests: XCTestCase {
    let conflist = """
        {"cniVersion": "1.0.0", "name": "edge-cni", "plugins": [
          {"type": "bridge", "bridge": "cni-e0", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/24"}]]}},
          {"type": "portmap", "capabilities": {"portMappings": true}},
          {"type": "tuning", "capabilities": {"bandwidth": true}}]}
        """

    func testParsesAListAndASinglePluginConf() throws {
        let list = try CNIConfigList.parse(Array(conflist.utf8), source: "a.conflist")
        XCTAssertEqual(list.name, "edge-cni")
        XCTAssertEqual(list.plugins.count, 3)
        XCTAssertTrue(list.supportsCheck)
        let single = try CNIConfigList.parse(Array(#"{"cniVersion":"0.3.1","name":"n","type":"bridge","bridge":"b"}"#.utf8), source: "b.conf")
        XCTAssertEqual(single.plugins.count, 1)
        XCTAssertEqual(single.plugins[0]["bridge"]?.string, "b")
        XCTAssertFalse(single.supportsCheck, "CHECK arrived in 0.4.0")
    }

    func testRejectsWhatCannotBeRun() {
        for (bad, why) in [("{", "JSON"), (#"{"plugins":[{"type":"x"}]}"#, "name"), (#"{"name":"n","plugins":[]}"#, "non-empty"),
                           (#"{"name":"n","plugins":[{"type":"../../bin/sh"}]}"#, "type"), (#"{"name":"n"}"#, "type")] {
            XCTAssertThrowsError(try CNIConfigList.parse(Array(bad.utf8), source: "x")) { e in
                XCTAssertTrue("\(e)".contains(why), "\(e)")
            }
        }
    }

    func testEachPluginGetsNameVersionPrevResultAndOnlyTheCapabilitiesItDeclares() throws {
        let list = try CNIConfigList.parse(Array(conflist.utf8), source: "a.conflist")
        let prev: JSON = ["cniVersion": "1.0.0", "ips": [["address": "10.88.0.5/24"]]]
        let runtime: [String: JSON] = ["portMappings": [["hostPort": 8080, "containerPort": 80, "protocol": "tcp"]]]
        let first = list.pluginConfig(0, prevResult: nil, runtimeConfig: runtime)
        XCTAssertEqual(first["name"]?.string, "edge-cni")
        XCTAssertEqual(first["cniVersion"]?.string, "1.0.0")
        XCTAssertNil(first["prevResult"])
        XCTAssertNil(first["runtimeConfig"], "bridge declares no capabilities")
        let second = list.pluginConfig(1, prevResult: prev, runtimeConfig: runtime)
        XCTAssertEqual(second["prevResult"], prev)
        XCTAssertEqual(second[path: ["runtimeConfig", "portMappings"]], runtime["portMappings"])
        XCTAssertNil(list.pluginConfig(2, prevResult: prev, runtimeConfig: runtime)["runtimeConfig"], "bandwidth was not given")
        XCTAssertEqual(try CNIConfigList(json: list.json), list)
    }

    func testTheFirstFileInNameOrderThatParsesWins() throws {
        let dir = temporaryDirectory()
        defer { removeTree(dir) }
        XCTAssertNil(CNIConfigDirectory.load(dir).config)
        try PodNetworkFiles.writeAtomically(dir + "/05-broken.conflist", "{not json")
        try PodNetworkFiles.writeAtomically(dir + "/10-edge.conflist", conflist)
        try PodNetworkFiles.writeAtomically(dir + "/20-other.conf", #"{"cniVersion":"0.4.0","name":"other","type":"bridge"}"#)
        try PodNetworkFiles.writeAtomically(dir + "/00-notes.txt", "ignored")
        let loaded = CNIConfigDirectory.load(dir)
        XCTAssertEqual(loaded.config?.name, "edge-cni")
        XCTAssertEqual(loaded.problems.count, 1)
        XCTAssertTrue(loaded.problems[0].contains("05-broken.conflist"))
    }

    func testPodAddressesComeFromTheContainerInterface() throws {
        let result = try JSONParser.parse("""
            {"cniVersion":"1.0.0",
             "interfaces":[{"name":"cni-e0","mac":"aa:bb:cc:dd:ee:ff"},{"name":"vethX"},{"name":"eth0","sandbox":"/run/netns/x"},{"name":"lo","sandbox":"/run/netns/x"}],
             "ips":[{"interface":2,"address":"10.88.0.5/24","gateway":"10.88.0.1"},{"interface":0,"address":"10.88.0.1/24"},
                    {"interface":3,"address":"127.0.0.1/8"}]}
            """)
        XCTAssertEqual(CNIResult.podIPs(result, interface: "eth0"), [IPv4Address("10.88.0.5")!])
        XCTAssertEqual(CNIResult.podIPs(try JSONParser.parse(#"{"ips":[{"address":"10.1.0.7/16"}]}"#), interface: "eth0"), [IPv4Address("10.1.0.7")!])
        XCTAssertEqual(CNIResult.podIPs(try JSONParser.parse(#"{"ip4":{"ip":"10.2.0.7/16"}}"#), interface: "eth0"), [IPv4Address("10.2.0.7")!])
        let loopbackOnly = try JSONParser.parse(#"{"cniVersion":"1.0.0","interfaces":[{"name":"lo","sandbox":"/x"}],"ips":[{"interface":0,"address":"127.0.0.1/8"}]}"#)
        XCTAssertEqual(CNIResult.podIPs(loopbackOnly, interface: "eth0"), [])
    }
}
