/// One page of a list whose items are already JSON: their encodings joined by
/// commas, ready to go between the brackets of a list's `items`.
public struct EncodedListPage: Sendable {
    public var joinedItems: [UInt8]
    public var count: Int
    public var revision: Int64
    public var continueToken: String?
}
