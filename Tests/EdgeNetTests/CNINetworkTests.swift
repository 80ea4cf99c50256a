import XCTest
import EdgeAPI
@testable import EdgeNet
#if canImport(Glibc)
import Glibc
#endif

/// The CNI protocol against scripted plugins (shell scripts that log what they were given): the
/// environment, the chain's prevResult, DEL in reverse with the kept result, CHECK, and errors.
final class CNINetworkTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = temporaryDirectory() }
    override func tearDown() { removeTree(dir) }

    /// A plugin that appends "NAME COMMAND" and its stdin to the log and prints `output`.
    func plugin(_ name: String, output: String, exit code: Int = 0) throws {
        let script = """
            #!/bin/sh
            echo "\(name) $CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME $CNI_ARGS" >> \(dir)/log
            cat >> \(dir)/stdin-\(name)-$CNI_COMMAND
            printf '%s' '\(output)'
            exit \(code)
            """
        try PodNetworkFiles.writeAtomically(dir + "/bin/" + name, script, mode: 0o755)
    }

    func network(_ conflist: String) throws -> CNINetwork {
        try PodNetworkFiles.makeDirectories(dir + "/conf")
        try PodNetworkFiles.writeAtomically(dir + "/conf/10-test.conflist", conflist)
        return CNINetwork(configDirectory: dir + "/conf", binDirectories: [dir + "/none", dir + "/bin"], clusterDNS: { nil })
    }

    let request = PodNetworkRequest(namespace: "shop", name: "web", uid: "uid-1", networkNamespace: "/var/run/netns/x",
                                    portMappings: [.init(hostPort: 8080, containerPort: 80, proto: "tcp", hostIP: "")])

    func log() -> [String] { (PodNetworkFiles.readString(dir + "/log") ?? "").split(separator: "\n").map(String.init) }

    func testAddChainsResultsAndDelRunsInReverseWithTheKeptResult() async throws {
        try PodNetworkFiles.makeDirectories(dir + "/bin")
        let mainResult = #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/x"}],"ips":[{"interface":0,"address":"10.88.0.9/24"}]}"#
        try plugin("main", output: mainResult)
        try plugin("meta", output: mainResult)
        let net = try network(#"{"cniVersion":"1.0.0","name":"t","plugins":[{"type":"main"},{"type":"meta","capabilities":{"portMappings":true}}]}"#)
        XCTAssertTrue(net.readiness().ready)
        let a = try await net.setUp(request)
        XCTAssertEqual(a.ips, [IPv4Address("10.88.0.9")!])
        XCTAssertEqual(a.kind, "cni")
        XCTAssertEqual(log(), ["main ADD uid-1 /var/run/netns/x eth0 IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=uid-1;K8S_POD_UID=uid-1",
                               "meta ADD uid-1 /var/run/netns/x eth0 IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=uid-1;K8S_POD_UID=uid-1"])
        let metaIn = try JSONParser.parse(PodNetworkFiles.read(dir + "/stdin-meta-ADD")!)
        XCTAssertEqual(metaIn["name"]?.string, "t")
        XCTAssertEqual(metaIn["prevResult"]?["ips"]?.array?.first?["address"]?.string, "10.88.0.9/24")
        XCTAssertEqual(metaIn[path: ["runtimeConfig", "portMappings"]]?.array?.first?["hostPort"]?.int, 8080)
        XCTAssertNil(try JSONParser.parse(PodNetworkFiles.read(dir + "/stdin-main-ADD")!)["prevResult"])

        try await net.check(request, attachment: a)
        try await net.tearDown(request, attachment: a)
        XCTAssertEqual(log().map { $0.split(separator: " ").prefix(2).joined(separator: " ") },
                       ["main ADD", "meta ADD", "main CHECK", "meta CHECK", "meta DEL", "main DEL"])
        let delIn = try JSONParser.parse(PodNetworkFiles.read(dir + "/stdin-main-DEL")!)
        XCTAssertNotNil(delIn["prevResult"], "DEL gets the result kept from ADD")
    }

    func testAFailingPluginsErrorIsReportedAndTheChainUndone() async throws {
        try PodNetworkFiles.makeDirectories(dir + "/bin")
        try plugin("main", output: #"{"cniVersion":"1.0.0","ips":[{"address":"10.88.0.9/24"}]}"#)
        try plugin("broken", output: #"{"cniVersion":"1.0.0","code":11,"msg":"no more addresses","details":"range full"}"#, exit: 1)
        let net = try network(#"{"cniVersion":"1.0.0","name":"t","plugins":[{"type":"main"},{"type":"broken"}]}"#)
        do {
            _ = try await net.setUp(request)
            XCTFail("setUp should fail")
        } catch {
            XCTAssertTrue("\(error)".contains("no more addresses: range full"), "\(error)")
        }
        XCTAssertEqual(log().map { $0.split(separator: " ").prefix(2).joined(separator: " ") }, ["main ADD", "broken ADD", "broken DEL", "main DEL"])
    }

    func testMissingConfigurationOrPluginIsNotReadyWithTheReason() async throws {
        let empty = CNINetwork(configDirectory: dir + "/absent", binDirectories: [dir], clusterDNS: { nil })
        XCTAssertFalse(empty.readiness().ready)
        XCTAssertTrue(empty.readiness().message.contains("cni plugin not initialized"), empty.readiness().message)
        let net = try network(#"{"cniVersion":"1.0.0","name":"t","plugins":[{"type":"nosuch"}]}"#)
        do {
            _ = try await net.setUp(request)
            XCTFail("setUp should fail")
        } catch {
            XCTAssertTrue("\(error)".contains("failed to find plugin \"nosuch\""), "\(error)")
        }
    }
}
