import EdgeAPI

/// The registry entries of a pull secret: `.dockerconfigjson`
/// (`{"auths": {KEY: ENTRY}}`, type kubernetes.io/dockerconfigjson) or the
/// legacy `.dockercfg` (`{KEY: ENTRY}`, type kubernetes.io/dockercfg). An entry
/// has `auth` = base64("user:password"), or `username` and `password`; `auth`
/// wins when both are there, as in docker's own config file.
struct DockerConfigAuths: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        /// As written: "registry.example.com", "https://index.docker.io/v1/", "*.example.com:5000/team".
        var key: String
        var username: String
        var password: String
    }

    var entries: [Entry]

    struct Invalid: Error, CustomStringConvertible { let description: String }

    /// `wrapped`: the document has the `auths` wrapper (.dockerconfigjson) rather than being the map itself (.dockercfg).
    static func parse(_ bytes: [UInt8], wrapped: Bool) throws -> DockerConfigAuths {
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch { throw Invalid(description: "is not JSON (\(error))") }
        guard let map = (wrapped ? json["auths"] : json)?.object else {
            throw Invalid(description: wrapped ? "has no \"auths\" object" : "is not a JSON object of registries")
        }
        var entries: [Entry] = []
        for (key, value) in map {
            guard value.object != nil else { throw Invalid(description: "entry \(key) is not an object") }
            var username = value["username"]?.string ?? ""
            var password = value["password"]?.string ?? ""
            if let auth = value["auth"]?.string, !auth.isEmpty {
                guard let decoded = Base64.decode(auth), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
                    // Say which entry, never what the field holds.
                    throw Invalid(description: "entry \(key) has an auth field that is not base64(username:password)")
                }
                username = String(decoding: decoded[..<colon], as: UTF8.self)
                password = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
            }
            entries.append(Entry(key: key, username: username, password: password))
        }
        return DockerConfigAuths(entries: entries)
    }
}
