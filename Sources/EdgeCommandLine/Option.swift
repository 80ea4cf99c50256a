/// `--name value` (or `--name=value`). Required when it has no default and is not optional;
/// an array collects one value per occurrence.
@propertyWrapper
public struct Option<Value>: DeclaredArgument, @unchecked Sendable {
    let box: ValueBox<Value>
    let name: NameSpecification
    let help: ArgumentHelp
    let isRequired: Bool
    let isArray: Bool
    let defaultDescription: String?
    let convert: (String, Value?) -> Value?

    public var wrappedValue: Value {
        get {
            guard let v = box.value else { fatalError("option read before it was parsed") }
            return v
        }
        nonmutating set { box.value = newValue }
    }

    /// `@Option var port: Int = 6443`
    public init(wrappedValue: Value, name: NameSpecification = .long, help: ArgumentHelp = "") where Value: ExpressibleByArgument {
        box = ValueBox(wrappedValue)
        self.name = name
        self.help = help
        isRequired = false
        isArray = false
        defaultDescription = wrappedValue.defaultValueDescription
        convert = { text, _ in Value(argument: text) }
    }

    /// `@Option var board: String`: must be given.
    public init(name: NameSpecification = .long, help: ArgumentHelp = "") where Value: ExpressibleByArgument {
        box = ValueBox(nil)
        self.name = name
        self.help = help
        isRequired = true
        isArray = false
        defaultDescription = nil
        convert = { text, _ in Value(argument: text) }
    }

    /// `@Option var dataDir: String?`: nil unless given.
    public init<Element: ExpressibleByArgument>(name: NameSpecification = .long, help: ArgumentHelp = "") where Value == Element? {
        box = ValueBox(.some(nil))
        self.name = name
        self.help = help
        isRequired = false
        isArray = false
        defaultDescription = nil
        convert = { text, _ in Element(argument: text).map { .some($0) } }
    }

    /// `@Option var disable: [String] = []`: repeatable.
    public init<Element: ExpressibleByArgument>(wrappedValue: [Element], name: NameSpecification = .long,
                                                parsing: ArrayParsingStrategy = .singleValue,
                                                help: ArgumentHelp = "") where Value == [Element] {
        box = ValueBox(wrappedValue)
        self.name = name
        self.help = help
        isRequired = false
        isArray = true
        defaultDescription = wrappedValue.isEmpty ? nil : wrappedValue.map(\.defaultValueDescription).joined(separator: ", ")
        // The first value given replaces the default; later ones add to it.
        var replaced = false
        convert = { text, current in
            guard let e = Element(argument: text) else { return nil }
            defer { replaced = true }
            return (replaced ? (current ?? []) : []) + [e]
        }
    }

    func definition(key: String) -> ArgumentDefinition {
        let names = name.names(key: key)
        let box = self.box
        let convert = self.convert
        return ArgumentDefinition(kind: .option, longName: names.long, shortName: names.short, help: help,
                                  valueName: help.valueName ?? names.long, defaultDescription: defaultDescription,
                                  isRequired: isRequired, isArray: isArray) { text in
            guard let v = convert(text, box.value) else { return false }
            box.value = v
            return true
        }
    }
}
