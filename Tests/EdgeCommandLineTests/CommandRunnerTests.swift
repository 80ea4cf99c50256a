import XCTest
@testable import EdgeCommandLine

final class CommandRunnerTests: XCTestCase {
    struct Outcome {
        var status: Int32
        var out: String
        var err: String
    }

    func run(_ words: String...) async -> Outcome {
        Ran.values = []
        nonisolated(unsafe) var out = "", err = ""
        var runner = CommandRunner(root: Tool.self)
        runner.width = 80
        runner.standardOutput = { out += $0 + "\n" }
        runner.standardError = { err += $0 + "\n" }
        let status = await runner.run(words)
        return Outcome(status: status, out: out, err: err)
    }

    func testDefaultsAndGivenValues() async {
        var r = await run("serve")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["nil", "6443", "nil", "", "", "false", "nil", "10.42.0.0/16", "false"])
        r = await run("serve", "--data-dir", "/d", "--https-listen-port=7443", "--cert-lifetime", "1h", "--disable", "a",
                      "--disable", "b", "--dir", "x", "--disable-agent", "--host-root", "/h", "--cluster-cidr", "10.1.0.0/16",
                      "--disable-kube-proxy")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["/d", "7443", "1h", "a,b", "x", "true", "/h", "10.1.0.0/16", "true"])
    }

    func testLaterOccurrenceReplacesAnEarlierOne() async {
        _ = await run("serve", "--https-listen-port", "1", "--https-listen-port", "2")
        XCTAssertEqual(Ran.values[1], "2")
    }

    func testValueThatDoesNotConvertNamesTheOption() async {
        let r = await run("serve", "--https-listen-port", "abc")
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.err, """
            Error: The value 'abc' is invalid for '--https-listen-port <https-listen-port>'
            Help:  --https-listen-port <https-listen-port>  HTTPS port of the API server.
            Usage: tool serve [--data-dir <data-dir>] [--https-listen-port <https-listen-port>] [--cert-lifetime <duration>] [--disable <disable> ...] [--dir <dir> ...] [--disable-agent] [--cluster-cidr <cluster-cidr>] [--disable-kube-proxy]
              See 'tool serve --help' for more information.

            """)
        XCTAssertTrue(Ran.values.isEmpty, "run() must not run")
    }

    func testMissingValueUnknownOptionAndFlagValue() async {
        var r = await run("serve", "--data-dir")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.err.hasPrefix("Error: Missing value for '--data-dir <data-dir>'\nHelp:  --data-dir <data-dir>  State directory.\n"), r.err)
        r = await run("serve", "--data-dir", "--disable-agent")
        XCTAssertTrue(r.err.hasPrefix("Error: Missing value for '--data-dir <data-dir>'"), r.err)
        r = await run("serve", "--data-dri", "x")
        XCTAssertTrue(r.err.hasPrefix("Error: Unknown option '--data-dri'. Did you mean '--data-dir'?\nUsage: tool serve"), r.err)
        r = await run("serve", "--completely-different")
        XCTAssertTrue(r.err.hasPrefix("Error: Unknown option '--completely-different'\n"), r.err)
        r = await run("serve", "-x")
        XCTAssertTrue(r.err.hasPrefix("Error: Unknown option '-x'\n"), r.err)
        r = await run("serve", "--host-root")
        XCTAssertTrue(r.err.hasPrefix("Error: Missing value for '--host-root'\nUsage: tool serve "), "a hidden option stays unexplained: \(r.err)")
        r = await run("serve", "--disable-agent=true")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.err.hasPrefix("Error: The option '--disable-agent' does not take any value, but 'true' was specified.\nUsage:"), r.err)
    }

    func testRequiredAndUnexpectedArguments() async {
        var r = await run("backup", "restore")
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.err, """
            Error: Missing expected argument '<file>'
            Help:  <file>  A snapshot.
            Usage: tool backup restore <file> [--data-dir <data-dir>]
              See 'tool backup restore --help' for more information.

            """)
        r = await run("backup", "restore", "a.db", "b.db")
        XCTAssertTrue(r.err.hasPrefix("Error: Unexpected argument 'b.db'\n"), r.err)
        r = await run("backup", "restore", "a.db", "b", "c")
        XCTAssertTrue(r.err.hasPrefix("Error: 2 unexpected arguments: 'b', 'c'\n"), r.err)
        r = await run("rm")
        XCTAssertTrue(r.err.hasPrefix("Error: Missing expected argument '<references> ...'\nHelp:  <references>  Image references.\n"), r.err)
        r = await run("run-container", "sh")
        XCTAssertTrue(r.err.hasPrefix("Error: Missing expected argument '--rootfs <rootfs>'\n"), r.err)
        r = await run("bogus")
        XCTAssertEqual(r.err, "Error: Unexpected argument 'bogus'\nUsage: tool <subcommand>\n  See 'tool --help' for more information.\n")
    }

    func testPositionalsAliasesAndShortFlags() async {
        var r = await run("backup", "restore", "--data-dir", "/d", "snap.db")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["snap.db", "/d"])
        r = await run("delete", "a", "-q", "b")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["a", "b", "true"])
        _ = await run("rm", "a", "--quiet")
        XCTAssertEqual(Ran.values, ["a", "true"])
    }

    func testTerminatorAndPassthrough() async {
        var r = await run("install", "server", "--root", "/r", "--", "--tls-san", "pi.lan", "--help")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["server", "/r", "--tls-san", "pi.lan", "--help"])
        r = await run("run-container", "--rootfs", "/rootfs", "--uid", "5", "sh", "-c", "ls --help", "--uid", "9")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Ran.values, ["/rootfs", "5", "sh", "-c", "ls --help", "--uid", "9"])
    }

    func testValidationRunsGroupsFirstThenTheCommand() async {
        var r = await run("serve", "--cluster-cidr", "bad", "--https-listen-port", "0")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.err.hasPrefix("Error: --cluster-cidr bad is not a network\nUsage: tool serve "), r.err)
        r = await run("serve", "--https-listen-port", "70000")
        XCTAssertTrue(r.err.hasPrefix("Error: --https-listen-port must be 1-65535, got 70000\nUsage: tool serve "), r.err)
        r = await run("serve", "--cluster-cidr", "10.0.0.0/8")
        XCTAssertTrue(r.err.hasPrefix("Error: command validation ran\n"), r.err)
    }

    func testErrorsFromRun() async {
        var r = await run("serve", "--data-dir", "fail")
        XCTAssertEqual(r.status, 64)
        XCTAssertEqual(r.err, "Error: no kubeconfig at fail\nUsage: tool <subcommand>\n  See 'tool --help' for more information.\n")
        r = await run("serve", "--data-dir", "exit")
        XCTAssertEqual(r.status, 7)
        XCTAssertEqual(r.err, "")
        r = await run("serve", "--data-dir", "other")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "Error: the store is damaged\n")
    }

    func testVersionAndHelpRequests() async {
        var r = await run("--version")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "1.2.3\n")
        r = await run("serve", "--nope", "--help")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasPrefix("OVERVIEW: Serve the API.\n\nUSAGE: tool serve "), r.out)
        let viaHelp = await run("help", "serve")
        XCTAssertEqual(viaHelp.out, r.out)
        r = await run("backup")
        XCTAssertEqual(r.status, 0, "a command with subcommands only prints its help")
        XCTAssertTrue(r.out.hasPrefix("OVERVIEW: Snapshots of the store.\n\nUSAGE: tool backup <subcommand>\n"), r.out)
        r = await run("run-container", "--rootfs", "/r", "ls", "--help")
        XCTAssertEqual(Ran.values, ["/r", "0", "ls", "--help"], "--help belongs to the captured command")
    }

    func testHelpLayout() async {
        let r = await run("serve", "-h")
        XCTAssertEqual(r.out, """
            OVERVIEW: Serve the API.

            USAGE: tool serve [--data-dir <data-dir>] [--https-listen-port <https-listen-port>] [--cert-lifetime <duration>] [--disable <disable> ...] [--dir <dir> ...] [--disable-agent] [--cluster-cidr <cluster-cidr>] [--disable-kube-proxy]

            CLUSTER NETWORK:
              --cluster-cidr <cluster-cidr>
                                      Pod network CIDR. (default: 10.42.0.0/16)
              --disable-kube-proxy    No proxy.

            OPTIONS:
              --data-dir <data-dir>   State directory.
              --https-listen-port <https-listen-port>
                                      HTTPS port of the API server. (default: 6443)
              --cert-lifetime <duration>
                                      Lifetime of certificates.
              --disable <disable>     Components not to run. Repeatable.
              --dir <dir>             A directory (repeatable).
              --disable-agent         Do not run a local agent.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    func testRootHelpListsShownSubcommandsWithAliases() async {
        let r = await run("--help")
        XCTAssertEqual(r.out, """
            OVERVIEW: A tool for tests.

            USAGE: tool <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              serve                   Serve the API.
              backup                  Snapshots of the store.
              rm, delete              Remove images.
              install                 Install a service.

              See 'tool help <subcommand>' for detailed help.

            """)
    }

    func testHelpShowsArgumentsDiscussionAndTerminator() async {
        var r = await run("help", "backup", "restore")
        XCTAssertEqual(r.out, """
            OVERVIEW: Bring a stopped server back to a snapshot.

            The server must be stopped.

            USAGE: tool backup restore <file> [--data-dir <data-dir>]

            ARGUMENTS:
              <file>                  A snapshot.

            OPTIONS:
              --data-dir <data-dir>   State directory.
              --version               Show the version.
              -h, --help              Show help information.


            """)
        r = await run("install", "--help")
        XCTAssertTrue(r.out.contains("USAGE: tool install <role> [--root <root>] -- [<extra> ...]\n"), r.out)
        r = await run("rm", "--help")
        XCTAssertTrue(r.out.contains("USAGE: tool rm <references> ... [--quiet]\n"), r.out)
        XCTAssertTrue(r.out.contains("  -q, --quiet             Print only ids.\n"), r.out)
    }
}
