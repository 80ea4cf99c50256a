/// A property wrapper the parser finds by reflection: `@Option`, `@Flag`, `@Argument`.
protocol DeclaredArgument {
    /// The definition for the property named `key` (its `_` stripped).
    func definition(key: String) -> ArgumentDefinition
}
