/// Options declared in another ParsableArguments type and shared by several commands
/// (`@OptionGroup(title: "Pod network") var podNetwork: PodNetworkOptions`). With a title
/// they get a help section of their own; their `validate()` runs before the command's.
@propertyWrapper
public struct OptionGroup<Value: ParsableArguments>: DeclaredGroup, @unchecked Sendable {
    let box: ValueBox<Value>
    let title: String

    public var wrappedValue: Value {
        get { box.value! }
        nonmutating set { box.value = newValue }
    }

    public init(title: String = "") {
        box = ValueBox(Value())
        self.title = title
    }

    var arguments: any ParsableArguments { box.value! }
}
