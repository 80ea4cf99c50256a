import EdgeAPI

/// How a registry client answers `401 Unauthorized`: which Authorization
/// header goes with requests, which credential is in use, and when to give
/// up. A value type that returns actions, so the rules are tested without a
/// network; RegistryClient carries the actions out.
///
/// Credentials are tried in order, as the kubelet does with the pull secrets
/// that match a registry: a `Basic` challenge gets the next credential as
/// Basic auth; a `Bearer` challenge (the distribution token protocol) sends it
/// as Basic auth to the token service and the token to the registry. Without
/// credentials a Bearer challenge gets an anonymous token.
struct RegistryAuthState: Sendable {
    enum Action: Equatable {
        /// Send the request again with `authorization`.
        case retry
        /// GET `url`, with `authorization` (the credential as Basic auth; nil: anonymous), then call `tokenAnswered`.
        case requestToken(url: RegistryURL, authorization: String?)
        /// Stop: the message says what failed and what to do.
        case fail(String)
    }

    let registry: String
    let repository: String
    let credentials: [RegistryCredential]

    /// What goes to the registry with every request; nil until a challenge is answered.
    private(set) var authorization: String?
    /// The credential the authorization was made from; nil: an anonymous token.
    private var authorizedWith: Int?
    /// The registry answered a request that carried `authorization`: a later 401 means it expired, not that it is wrong.
    private var accepted = false
    /// The next credential to try.
    private var next = 0
    /// The token request in flight and the credential it carries.
    private var pendingToken: (url: RegistryURL, credential: Int?)?
    /// Where the refused credentials came from, for the final message.
    private(set) var refused: [String] = []

    init(registry: String, repository: String, credentials: [RegistryCredential]) {
        self.registry = registry
        self.repository = repository
        self.credentials = credentials
    }

    /// A request that carried `authorization` succeeded.
    mutating func registryAccepted() {
        if authorization != nil { accepted = true }
    }

    /// The registry answered 401 with this WWW-Authenticate header (nil: none).
    mutating func challenged(_ header: String?) -> Action {
        if authorization != nil {
            let expired = accepted
            authorization = nil
            accepted = false
            if !expired {
                // Refused the first time it was used: this credential (or anonymous access) is not good enough.
                guard let used = authorizedWith else { return .fail(anonymousRefused()) }
                refuse(used)
            }
            // An authorization that worked before and now fails has expired (tokens live minutes): get a new one the same way.
            else if let used = authorizedWith { next = used }
        }
        guard let header, let challenge = AuthChallenge.parse(header) else {
            return .fail("registry \(registry) demands authentication (401) without saying how (no WWW-Authenticate header)")
        }
        switch challenge.scheme {
        case "basic":
            guard !credentials.isEmpty else {
                return .fail("registry \(registry) requires authentication (a username and password, Basic) and no credentials were given for it; "
                             + "give the pod an imagePullSecret of type kubernetes.io/dockerconfigjson for \(registry), or pass --creds to edgectl images pull")
            }
            guard next < credentials.count else { return .fail(exhausted()) }
            authorization = credentials[next].basicAuthorization
            authorizedWith = next
            return .retry
        case "bearer":
            guard let realm = challenge.parameters["realm"] else {
                return .fail("registry \(registry) sent a Bearer challenge without a realm; it is misconfigured")
            }
            var url: RegistryURL
            do { url = try RegistryURL.parse(realm) } catch { return .fail("registry \(registry) names the token service \(realm): \(error)") }
            var query: [String] = []
            if let service = challenge.parameters["service"] { query.append("service=" + RegistryURL.queryEscape(service)) }
            query.append("scope=" + RegistryURL.queryEscape(challenge.parameters["scope"] ?? "repository:\(repository):pull"))
            url.target += (url.target.contains("?") ? "&" : "?") + query.joined(separator: "&")
            return tokenRequest(url)
        default:
            return .fail("registry \(registry) asks for \(challenge.scheme) authentication; edgectl answers only Basic and Bearer challenges")
        }
    }

    /// The token service's answer to the last `.requestToken`.
    mutating func tokenAnswered(status: Int, body: [UInt8]) -> Action {
        guard let (url, credential) = pendingToken else { return .fail("internal error: a token answer without a token request") }
        pendingToken = nil
        switch status {
        case 200:
            // The distribution spec names it `token`; OAuth2-style services send `access_token`.
            let json = try? JSONParser.parse(body)
            guard let token = json?["token"]?.string ?? json?["access_token"]?.string, !token.isEmpty else {
                return .fail("the token service \(url.scheme)://\(url.authority) of registry \(registry) answered without a token")
            }
            authorization = "Bearer " + token
            authorizedWith = credential
            accepted = false
            return .retry
        case 401, 403:
            guard let credential else { return .fail(anonymousRefused()) }
            refuse(credential)
            return tokenRequest(url)
        default:
            return .fail("the token service \(url.scheme)://\(url.authority) of registry \(registry) failed (\(status)); try again later")
        }
    }

    /// The next token request: with the next credential, or anonymous when none were given.
    private mutating func tokenRequest(_ url: RegistryURL) -> Action {
        if credentials.isEmpty {
            pendingToken = (url, nil)
            return .requestToken(url: url, authorization: nil)
        }
        guard next < credentials.count else { return .fail(exhausted()) }
        // Basic credentials in clear text only to loopback: a registry must not be able to send them across the network unencrypted.
        guard url.scheme == "https" || Self.isLoopback(url.host) else {
            return .fail("registry \(registry) sends the credentials' token request to \(url.scheme)://\(url.authority) over plain HTTP; "
                         + "refusing to send the credentials from \(credentials[next].source) unencrypted")
        }
        pendingToken = (url, next)
        return .requestToken(url: url, authorization: credentials[next].basicAuthorization)
    }

    private mutating func refuse(_ index: Int) {
        if !refused.contains(credentials[index].source) { refused.append(credentials[index].source) }
        next = max(next, index + 1)
    }

    private func exhausted() -> String {
        "authentication failed at registry \(registry) (401 Unauthorized) with the credentials from \(refused.joined(separator: ", ")); "
            + "check the username and password there, and that this user may pull \(repository)"
    }

    private func anonymousRefused() -> String {
        "registry \(registry) refuses anonymous pulls of \(repository) (401 Unauthorized: authentication required) and no credentials were given for it; "
            + "give the pod an imagePullSecret for \(registry), or pass --creds to edgectl images pull"
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}
