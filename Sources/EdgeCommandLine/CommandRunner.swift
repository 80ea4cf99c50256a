#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses the command a command line names, parses its options, validates and runs it, and
/// reports the outcome as users and scripts rely on: help and `--version` on stdout with
/// status 0; "Error: ..." on stderr with the usage and status 64 for a usage error; "Error: ..."
/// and status 1 for a failure; an ExitCode's status as it is.
public struct CommandRunner {
    let root: any ParsableCommand.Type
    /// Help's screen width: $COLUMNS, the terminal's, or 80.
    var width: Int = CommandRunner.screenWidth()
    var standardOutput: (String) -> Void = { print($0) }
    var standardError: (String) -> Void = { CommandRunner.writeError($0 + "\n") }

    public init(root: any ParsableCommand.Type) {
        self.root = root
    }

    /// The exit status for `arguments` (the words after the program name).
    public func run(_ arguments: [String]) async -> Int32 {
        var path = CommandPath(commands: [root])
        var words = arguments[...]
        // `edgectl help server`: the help of the commands named after it.
        if words.first == "help", path.subcommand(named: "help") == nil, !root.configuration.subcommands.isEmpty {
            words = words.dropFirst()
            while let w = words.first, let sub = path.subcommand(named: w) {
                path.commands.append(sub)
                words = words.dropFirst()
            }
            standardOutput(help(path))
            return 0
        }
        while let w = words.first, let sub = path.subcommand(named: w) {
            path.commands.append(sub)
            words = words.dropFirst()
        }
        let command = path.leaf.init()
        let declarations = Declarations(command)
        do {
            try Self.checkHelpAndVersion(Array(words), declarations.definitions, path: path)
            try ArgumentListParser(definitions: declarations.definitions).parse(Array(words))
        } catch {
            return report(error, path: path, definitions: declarations.definitions)
        }
        do {
            for group in declarations.groups { try group.validate() }
            try command.validate()
        } catch {
            return report(error, path: path, definitions: declarations.definitions)
        }
        do {
            try await command.run()
        } catch CommandLineError.helpRequested {
            standardOutput(help(path))
            return 0
        } catch {
            // As before: a failure in run() points to the top-level usage.
            return report(error, path: CommandPath(commands: [root]), definitions: Declarations(root.init()).definitions)
        }
        return 0
    }

    func help(_ path: CommandPath) -> String {
        HelpText(path: path, definitions: Declarations(path.leaf.init()).definitions, width: width).render()
    }

    /// `-h`/`--help` and `--version` win over everything else before `--` (and before a
    /// command line captured for another program).
    static func checkHelpAndVersion(_ words: [String], _ definitions: [ArgumentDefinition], path: CommandPath) throws(CommandLineError) {
        let passthrough = definitions.contains { $0.arrayStrategy == .captureForPassthrough }
        for w in words {
            if w == "--" || (passthrough && !ArgumentListParser.looksLikeOption(w)) { return }
            if w == "-h" || w == "--help" { throw .helpRequested }
            if w == "--version", path.version != nil, !definitions.contains(where: { $0.longName == "version" }) { throw .versionRequested }
        }
    }

    func report(_ error: any Error, path: CommandPath, definitions: [ArgumentDefinition]) -> Int32 {
        switch error {
        case CommandLineError.helpRequested:
            standardOutput(help(path))
            return 0
        case CommandLineError.versionRequested:
            standardOutput(path.version ?? "")
            return 0
        case CommandLineError.usage(let message, let helpLine):
            standardError("Error: \(message)\n" + (helpLine.map { "Help:  \($0)\n" } ?? "") + path.usageFooter(definitions: definitions))
            return ExitCode.validationFailure.rawValue
        case let e as ValidationError:
            standardError("Error: \(e.message)\n" + path.usageFooter(definitions: definitions))
            return ExitCode.validationFailure.rawValue
        case let e as ExitCode:
            return e.rawValue
        default:
            standardError("Error: \(error)")
            return ExitCode.failure.rawValue
        }
    }

    static func screenWidth() -> Int {
        if let c = getenv("COLUMNS"), let n = Int(String(cString: c)), n > 0 { return n }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// To stderr after whatever stdout holds, so the two interleave in order on a terminal.
    static func writeError(_ text: String) {
        fflush(nil)
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    public static func exit(_ status: Int32) -> Never {
        fflush(nil)
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}
