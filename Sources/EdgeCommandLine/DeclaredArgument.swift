/// A property wrapper the parser finds by reflection: `@Option`, `@Flag`, `@Argument`.
protocol DeclaredArgument {
    /// The definition for the property named `key` (`_` stripped), in the help section `title`.
    func definition(key: String) -> ArgumentDefinition
}

/// `@OptionGroup`: a ParsableArguments value whose declarations join the command's.
protocol DeclaredGroup {
    var title: String { get }
    var arguments: any ParsableArguments { get }
}
