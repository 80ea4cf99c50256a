/// Why a DNS message could not be read: every field of a packet from the
/// network is checked before use.
struct DNSWireError: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }

    static let truncated = DNSWireError("message ends inside a field")
    static let labelTooLong = DNSWireError("label longer than 63 bytes")
    static let nameTooLong = DNSWireError("name longer than 255 bytes")
    static let badPointer = DNSWireError("compression pointer does not point backwards into the message")
    static let tooManyPointers = DNSWireError("too many compression pointers in one name")
    static let reservedLabelType = DNSWireError("reserved label type")
}
