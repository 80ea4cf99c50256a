/// A failed iptables command, with what it said.
public struct IPTablesError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
