/// `--help`: OVERVIEW (abstract and discussion), USAGE, ARGUMENTS, one section per titled option
/// group, OPTIONS, SUBCOMMANDS; labels in a 26-column gutter, text wrapped to the screen.
struct HelpText {
    static let gutter = 26

    let path: CommandPath
    let definitions: [ArgumentDefinition]
    let width: Int

    func render() -> String {
        let configuration = path.leaf.configuration
        var out = ""
        var overview = configuration.abstract
        if !configuration.discussion.isEmpty {
            overview += (overview.isEmpty ? "" : "\n") + "\n" + configuration.discussion
        }
        if !overview.isEmpty { out += TextWrapping.wrap("OVERVIEW: " + overview, width: width) + "\n\n" }
        out += "USAGE: " + UsageLine.render(toolName: path.toolName, definitions: definitions,
                                            hasSubcommands: !configuration.subcommands.isEmpty) + "\n\n"

        var sections: [(String, [(String, String)])] = [("ARGUMENTS", [])]
        var options: [(String, String)] = []
        for d in definitions where !d.isHidden {
            let text = [d.help.abstract, d.defaultDescription.map { "(default: \($0))" } ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            let element = (d.label, text)
            if !d.groupTitle.isEmpty {
                let title = d.groupTitle.uppercased()
                if let at = sections.firstIndex(where: { $0.0 == title }) { sections[at].1.append(element) } else { sections.append((title, [element])) }
            } else if d.kind == .positional {
                sections[0].1.append(element)
            } else {
                options.append(element)
            }
        }
        if path.version != nil { options.append(("--version", "Show the version.")) }
        options.append(("-h, --help", "Show help information."))
        sections.append(("OPTIONS", options))
        let displayed = configuration.subcommands.filter { $0.configuration.shouldDisplay }
        sections.append(("SUBCOMMANDS", displayed.map { c in
            (([CommandPath.name(of: c)] + c.configuration.aliases).joined(separator: ", "), c.configuration.abstract)
        }))

        out += sections.filter { !$0.1.isEmpty }.map { title, elements in
            "\(title):\n" + elements.map { element($0.0, $0.1) }.joined()
        }.joined(separator: "\n")
        if !displayed.isEmpty {
            let names = [CommandPath.name(of: path.commands[0]), "help"] + path.commands.dropFirst().map(CommandPath.name(of:))
            out += "\n  See '\(names.joined(separator: " ")) <subcommand>' for detailed help."
        }
        return out
    }

    /// One label and its text: on one line when the label fits the gutter, else the text below it.
    func element(_ label: String, _ text: String) -> String {
        let padded = "  " + label
        guard !text.isEmpty else { return padded + "\n" }
        let wrapped = TextWrapping.wrap(text, width: width, indent: Self.gutter)
        if padded.count < Self.gutter {
            return padded + wrapped.dropFirst(padded.count) + "\n"
        }
        return padded + "\n" + wrapped + "\n"
    }
}
