/// A command: its configuration (name, help, subcommands) and what it does. `run` may be
/// synchronous or async; a command that only groups subcommands keeps the default, which
/// prints its help.
public protocol ParsableCommand: ParsableArguments {
    static var configuration: CommandConfiguration { get }
    func run() async throws
}

extension ParsableCommand {
    public func run() async throws {
        throw CommandLineError.helpRequested
    }

    /// Parses `arguments` (default: the process's, without the program name), runs the
    /// command chosen and exits with its status: 0, 64 (EX_USAGE) for a usage error, 1 for
    /// another error, or the status an ExitCode names.
    public static func main(_ arguments: [String]?) async {
        let status = await CommandRunner(root: Self.self).run(arguments ?? Array(CommandLine.arguments.dropFirst()))
        CommandRunner.exit(status)
    }

    /// The entry point for `@main` on a root command.
    public static func main() async {
        await main(nil)
    }
}

/// The name commands conforming with an async `run` used under swift-argument-parser.
public typealias AsyncParsableCommand = ParsableCommand
