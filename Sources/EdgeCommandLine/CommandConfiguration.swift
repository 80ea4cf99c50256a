/// A command's name, help texts and subcommands.
public struct CommandConfiguration: @unchecked Sendable {
    /// The name typed after the parent command (default: the type's name in kebab case).
    public var commandName: String?
    /// One line under OVERVIEW and in the parent's SUBCOMMANDS list.
    public var abstract: String
    /// Paragraphs under the abstract in the command's own help.
    public var discussion: String
    /// Printed by `--version` (set on the root command).
    public var version: String
    /// False for internal commands: they work but are not listed in the parent's help.
    public var shouldDisplay: Bool
    public var subcommands: [any ParsableCommand.Type]
    /// Other names the command answers to (listed after its name in the parent's help).
    public var aliases: [String]

    public init(commandName: String? = nil, abstract: String = "", discussion: String = "", version: String = "",
                shouldDisplay: Bool = true, subcommands: [any ParsableCommand.Type] = [], aliases: [String] = []) {
        self.commandName = commandName
        self.abstract = abstract
        self.discussion = discussion
        self.version = version
        self.shouldDisplay = shouldDisplay
        self.subcommands = subcommands
        self.aliases = aliases
    }
}
