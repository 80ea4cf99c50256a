/// A registry username and password from one of a pod's pull secrets, with
/// the secret it came from (for messages; the contents are never printed).
public struct PullCredential: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// "secret NAMESPACE/NAME".
    public var source: String

    public init(username: String, password: String, source: String) {
        self.username = username
        self.password = password
        self.source = source
    }

    /// Only the source: a credential interpolated into a log line by mistake reveals nothing.
    public var description: String { source }
}
