/// A SPDY session that cannot go on (malformed frame, header block, version).
struct SPDYProtocolError: Error, Equatable, CustomStringConvertible {
    var description: String
}
