/// The chain of commands a command line chose (`edgectl backup restore`), root first.
struct CommandPath {
    var commands: [any ParsableCommand.Type]

    var leaf: any ParsableCommand.Type { commands[commands.count - 1] }

    var toolName: String { commands.map(Self.name(of:)).joined(separator: " ") }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? KebabCase.from(String(describing: command))
    }

    /// The subcommand of the leaf that `word` names (by name or alias).
    func subcommand(named word: String) -> (any ParsableCommand.Type)? {
        leaf.configuration.subcommands.first { Self.name(of: $0) == word || $0.configuration.aliases.contains(word) }
    }

    /// The version of the nearest command that has one.
    var version: String? {
        for command in commands.reversed() where !command.configuration.version.isEmpty { return command.configuration.version }
        return nil
    }

    /// Usage and the pointer to --help, as every usage error ends.
    func usageFooter(definitions: [ArgumentDefinition]) -> String {
        let usage = UsageLine.render(toolName: toolName, definitions: definitions, hasSubcommands: !leaf.configuration.subcommands.isEmpty)
        return "Usage: \(usage)\n  See '\(toolName) --help' for more information."
    }
}
