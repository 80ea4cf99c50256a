/// The options, flags and arguments a ParsableArguments value declares, found by reflection
/// over its property wrappers, `@OptionGroup`s included, in declaration order.
struct Declarations {
    var definitions: [ArgumentDefinition] = []
    /// The option groups, depth first, in the order their `validate()` runs (before the command's).
    var groups: [any ParsableArguments] = []

    init(_ arguments: any ParsableArguments, title: String = "") {
        for child in Mirror(reflecting: arguments).children {
            guard let label = child.label else { continue }
            let key = label.hasPrefix("_") ? String(label.dropFirst()) : label
            if let declared = child.value as? any DeclaredArgument {
                var d = declared.definition(key: key)
                d.groupTitle = title
                definitions.append(d)
            } else if let group = child.value as? any DeclaredGroup {
                let inner = Declarations(group.arguments, title: group.title.isEmpty ? title : group.title)
                definitions += inner.definitions
                groups += inner.groups + [group.arguments]
            }
        }
    }
}
