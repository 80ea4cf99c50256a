import EdgeAPI

/// A username and password for one registry, and where they came from
/// ("secret default/regcred", "--creds") so that errors can say which
/// credentials were refused without ever showing them.
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

    /// The header value for Basic authentication (RFC 7617), to a registry or its token service.
    var basicAuthorization: String { "Basic " + Base64.encode(username + ":" + password) }
}
