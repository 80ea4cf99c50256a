import EdgeAPI

/// The opaque `continue` value of paged lists: the revision the first page was
/// read at and the last key returned, in upstream's encoding (base64 JSON).
public struct ContinueToken: Sendable, Equatable {
    public var revision: Int64
    /// The key after which the next page starts (relative to the list prefix).
    public var startAfter: String

    public init(revision: Int64, startAfter: String) {
        self.revision = revision
        self.startAfter = startAfter
    }

    public init(decoding text: String) throws {
        guard let raw = Base64.decode(text), let j = try? JSONParser.parse(raw),
              j["v"]?.string == "meta.k8s.io/v1", let rv = j["rv"]?.int, let start = j["start"]?.string, rv > 0
        else {
            throw APIError.badRequest("continue key is not valid: the continue token could not be decoded")
        }
        self.revision = rv
        self.startAfter = start
    }

    public var encoded: String {
        Base64.encode(JSONSerializer.serialize(["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(startAfter)]))
    }
}
