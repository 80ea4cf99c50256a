/// The USAGE line of a command: its name and each visible option and argument in declaration
/// order; past 12 of them, only the required ones and the arguments after `[<options>]`.
enum UsageLine {
    static func render(toolName: String, definitions: [ArgumentDefinition], hasSubcommands: Bool) -> String {
        var shown = definitions.filter { !$0.isHidden }
        var line: String
        if shown.isEmpty {
            line = toolName
        } else if shown.count > 12 {
            shown = shown.filter { $0.kind == .positional || $0.isRequired }
            line = shown.isEmpty || shown.count > 12
                ? "\(toolName) <options>"
                : "\(toolName) [<options>] " + shown.map(\.synopsis).joined(separator: " ")
        } else {
            line = "\(toolName) " + shown.map(\.synopsis).joined(separator: " ")
        }
        if hasSubcommands { line += " <subcommand>" }
        return line
    }
}
