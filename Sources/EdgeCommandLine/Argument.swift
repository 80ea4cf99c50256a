/// A positional value, `<name>`, in declaration order. An array takes the rest of the
/// positional values (or, by its strategy, those after `--` or everything from the first).
@propertyWrapper
public struct Argument<Value>: DeclaredArgument, @unchecked Sendable {
    let box: ValueBox<Value>
    let help: ArgumentHelp
    let isRequired: Bool
    let isArray: Bool
    let strategy: ArrayParsingStrategy
    let convert: (String, Value?) -> Value?

    public var wrappedValue: Value {
        get {
            guard let v = box.value else { fatalError("argument read before it was parsed") }
            return v
        }
        nonmutating set { box.value = newValue }
    }

    /// `@Argument var file: String`: must be given.
    public init(help: ArgumentHelp = "") where Value: ExpressibleByArgument {
        box = ValueBox(nil)
        self.help = help
        isRequired = true
        isArray = false
        strategy = .singleValue
        convert = { text, _ in Value(argument: text) }
    }

    /// `@Argument var references: [String]`: one or more.
    public init<Element: ExpressibleByArgument>(parsing: ArrayParsingStrategy = .singleValue, help: ArgumentHelp = "") where Value == [Element] {
        box = ValueBox(nil)
        self.help = help
        isRequired = true
        isArray = true
        strategy = parsing
        convert = { text, current in Element(argument: text).map { (current ?? []) + [$0] } }
    }

    /// `@Argument var extra: [String] = []`: any number.
    public init<Element: ExpressibleByArgument>(wrappedValue: [Element], parsing: ArrayParsingStrategy = .singleValue,
                                                help: ArgumentHelp = "") where Value == [Element] {
        box = ValueBox(wrappedValue)
        self.help = help
        isRequired = false
        isArray = true
        strategy = parsing
        var replaced = false
        convert = { text, current in
            guard let e = Element(argument: text) else { return nil }
            defer { replaced = true }
            return (replaced ? (current ?? []) : []) + [e]
        }
    }

    func definition(key: String) -> ArgumentDefinition {
        let box = self.box
        let convert = self.convert
        var d = ArgumentDefinition(kind: .positional, longName: nil, shortName: nil, help: help,
                                   valueName: help.valueName ?? KebabCase.from(key), defaultDescription: nil,
                                   isRequired: isRequired, isArray: isArray) { text in
            guard let v = convert(text, box.value) else { return false }
            box.value = v
            return true
        }
        d.arrayStrategy = strategy
        return d
    }
}
