/// A patch that cannot be applied: malformed, or its test failed.
public struct PatchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
