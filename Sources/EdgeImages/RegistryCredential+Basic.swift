import EdgeAPI

extension RegistryCredential {
    /// The header value for Basic authentication (RFC 7617), to a registry or its token service.
    var basicAuthorization: String { "Basic " + Base64.encode(username + ":" + password) }
}
