import XCTest
@testable import EdgeCommandLine

final class UsageLineTests: XCTestCase {
    func option(_ name: String, required: Bool = false) -> ArgumentDefinition {
        ArgumentDefinition(kind: .option, longName: name, shortName: nil, help: "", valueName: name, defaultDescription: nil,
                           isRequired: required, isArray: false) { _ in true }
    }

    func testPastTwelveOnlyRequiredAndPositionalsAreListed() {
        var defs = (1...13).map { option("o\($0)") }
        XCTAssertEqual(UsageLine.render(toolName: "t", definitions: defs, hasSubcommands: false), "t <options>")
        defs.append(option("token", required: true))
        XCTAssertEqual(UsageLine.render(toolName: "t", definitions: defs, hasSubcommands: false), "t [<options>] --token <token>")
        XCTAssertEqual(UsageLine.render(toolName: "t", definitions: Array(defs.prefix(2)), hasSubcommands: false), "t [--o1 <o1>] [--o2 <o2>]")
        XCTAssertEqual(UsageLine.render(toolName: "t", definitions: [], hasSubcommands: true), "t <subcommand>")
    }

    func testNamesInKebabCase() {
        XCTAssertEqual(KebabCase.from("agentApiPort"), "agent-api-port")
        XCTAssertEqual(KebabCase.from("RotateKeys"), "rotate-keys")
        XCTAssertEqual(KebabCase.from("DNS"), "dns")
        XCTAssertEqual(KebabCase.from("imageGcHighThreshold"), "image-gc-high-threshold")
        XCTAssertEqual(KebabCase.from("HTTPServer"), "http-server")
    }

    func testWrappingKeepsAColumnFreeUnlessTheLastLineFits() {
        XCTAssertEqual(TextWrapping.wrap("aaa bbb ccc", width: 7), "aaa\nbbb ccc")
        XCTAssertEqual(TextWrapping.wrap("aaa bbb", width: 7), "aaa bbb")
        XCTAssertEqual(TextWrapping.wrap("aaa bbb ccc", width: 13, indent: 4), "    aaa bbb\n    ccc")
        XCTAssertEqual(TextWrapping.wrap("one\n\ntwo", width: 80), "one\n\ntwo")
    }

    func testEditDistance() {
        XCTAssertEqual(EditDistance.between("kitten", "sitting"), 3)
        XCTAssertEqual(EditDistance.between("", "abc"), 3)
        XCTAssertEqual(EditDistance.between("--data-dri", "--data-dir"), 2)
    }
}

final class ParseOnItsOwnTests: XCTestCase {
    func testDefaultsAndValidation() throws {
        let n = try NetworkOptions.parse([])
        XCTAssertEqual(n.clusterCidr, "10.42.0.0/16")
        XCTAssertEqual(try NetworkOptions.parse(["--cluster-cidr", "10.9.0.0/16"]).clusterCidr, "10.9.0.0/16")
        XCTAssertThrowsError(try NetworkOptions.parse(["--cluster-cidr", "bad"])) { e in
            XCTAssertEqual((e as? ValidationError)?.message, "--cluster-cidr bad is not a network")
        }
    }
}
