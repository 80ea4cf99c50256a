/// A username and password for one registry, and where they came from
/// ("secret default/regcred", "--creds") so that errors can say which
/// credentials were refused without ever showing them. Here, beside the API
/// objects, because the agent reads them from a pod's pull secrets and the
/// image store answers registries with them, and neither may import the other.
public struct RegistryCredential: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String
    /// Names the origin for messages; never the secret's contents.
    public var source: String

    public init(username: String, password: String, source: String) {
        self.username = username
        self.password = password
        self.source = source
    }

    /// Only the source: a credential interpolated into a log line by mistake reveals nothing.
    public var description: String { source }
}
