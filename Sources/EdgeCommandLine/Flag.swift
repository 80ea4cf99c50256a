/// `--name`: true when given, false otherwise. Takes no value.
@propertyWrapper
public struct Flag: DeclaredArgument, @unchecked Sendable {
    let box: ValueBox<Bool>
    let name: NameSpecification
    let help: ArgumentHelp

    public var wrappedValue: Bool {
        get { box.value ?? false }
        nonmutating set { box.value = newValue }
    }

    public init(wrappedValue: Bool = false, name: NameSpecification = .long, help: ArgumentHelp = "") {
        box = ValueBox(wrappedValue)
        self.name = name
        self.help = help
    }

    func definition(key: String) -> ArgumentDefinition {
        let names = name.names(key: key)
        let box = self.box
        return ArgumentDefinition(kind: .flag, longName: names.long, shortName: names.short, help: help,
                                  valueName: KebabCase.from(key), defaultDescription: nil,
                                  isRequired: false, isArray: false) { _ in
            box.value = true
            return true
        }
    }
}
