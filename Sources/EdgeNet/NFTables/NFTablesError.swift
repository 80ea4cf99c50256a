/// A failed `nft` run, with what it said.
public struct NFTablesError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
