/// A bad value or combination of values: printed as "Error: <message>" with the usage,
/// exit status 64 (EX_USAGE).
public struct ValidationError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
