/// The storage a property wrapper shares with the parser: wrappers are copied with the command
/// value, the box is not, so what the parser stores is what `run()` reads.
final class ValueBox<Value>: @unchecked Sendable {
    var value: Value?

    init(_ value: Value?) {
        self.value = value
    }
}
