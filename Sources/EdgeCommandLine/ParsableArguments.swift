/// A set of options, flags and arguments declared with `@Option`, `@Flag`, `@Argument` and
/// `@OptionGroup` properties. The parser finds the declarations by reflection (each property
/// wrapper holds a shared box the parser fills), so a command declares a flag in one line.
/// Sendable, as commands hand themselves to tasks: the values are only written while parsing.
public protocol ParsableArguments: Sendable {
    init()
    /// Checks the parsed values together; a ValidationError is shown with the command's usage.
    func validate() throws
}

extension ParsableArguments {
    public func validate() throws {}
}

extension ParsableArguments {
    /// Parses and validates `arguments` on their own (defaults for everything not given),
    /// for code that needs these options without a command line of its own.
    public static func parse(_ arguments: [String]) throws -> Self {
        let value = Self()
        let declarations = Declarations(value)
        do {
            try ArgumentListParser(definitions: declarations.definitions).parse(arguments)
        } catch .usage(let message, _) {
            throw ValidationError(message)
        } catch {
            throw ValidationError("\(error)")
        }
        for group in declarations.groups { try group.validate() }
        try value.validate()
        return value
    }
}
