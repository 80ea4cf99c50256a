/// What the parser and the help know about one declared option, flag or positional argument,
/// and how a parsed value reaches the property that declared it.
struct ArgumentDefinition {
    enum Kind {
        case option
        case flag
        case positional
    }

    var kind: Kind
    /// Without dashes; nil for positionals.
    var longName: String?
    var shortName: Character?
    var help: ArgumentHelp
    /// `<value-name>` in usage and help.
    var valueName: String
    /// "(default: ...)" in help; nil when there is none to show.
    var defaultDescription: String?
    /// No default: parsing fails when it is not given.
    var isRequired: Bool
    /// Takes several values (repeatable option, or several positionals).
    var isArray: Bool
    var arrayStrategy: ArrayParsingStrategy = .singleValue
    /// The `@OptionGroup(title:)` it came from: a help section of its own.
    var groupTitle: String = ""
    /// Stores one value given on the command line; false when it does not convert.
    var store: (String) -> Bool

    var isHidden: Bool { help.visibility == .hidden }

    /// `--name <value>`, `--flag`, `<arg>`: how errors and help name it.
    var label: String {
        switch kind {
        case .flag:
            return shortName.map { "-\($0), --\(longName ?? "")" } ?? "--\(longName ?? "")"
        case .option:
            let long = "--\(longName ?? "") <\(valueName)>"
            return shortName.map { "-\($0), " + long } ?? long
        case .positional:
            return "<\(valueName)>"
        }
    }

    /// The form errors quote: the preferred (long) name and the value (only the name for a
    /// hidden option, as for a test hook nobody is told about).
    var errorLabel: String {
        if isHidden, let longName { return "--" + longName }
        switch kind {
        case .flag: return "--\(longName ?? "")"
        case .option: return "--\(longName ?? "") <\(valueName)>"
        case .positional: return isArray ? "<\(valueName)> ..." : "<\(valueName)>"
        }
    }

    /// The element of the usage line: `[--root <root>]`, `--token <token>`, `[--quiet]`, `<files> ...`.
    var synopsis: String {
        switch kind {
        case .flag:
            return "[--\(longName ?? "")]"
        case .option:
            let core = "--\(longName ?? "") <\(valueName)>" + (isArray ? " ..." : "")
            return isRequired ? core : "[\(core)]"
        case .positional:
            let core = isArray ? "<\(valueName)> ..." : "<\(valueName)>"
            let shown = isRequired ? core : "[\(core)]"
            return arrayStrategy == .postTerminator ? "-- " + shown : shown
        }
    }
}
