/// An image store failure worded for the person at the terminal: what failed,
/// on which reference, registry or digest, and what to do about it.
public struct ImageError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
