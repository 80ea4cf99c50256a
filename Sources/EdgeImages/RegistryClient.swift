import EdgeAPI
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The OCI distribution API, pull side: manifests and blobs of one repository,
/// with the registry's authentication answered (RegistryAuthState: Basic, or
/// Bearer tokens, anonymous or with credentials) and redirects to blob storage
/// followed. Every body is checked against its digest by the caller or here;
/// nothing a registry sends is trusted unverified.
final class RegistryClient {
    let reference: ImageReference
    private let base: RegistryURL
    private let transport: any RegistryTransport
    private var auth: RegistryAuthState

    init(reference: ImageReference, credentials: [RegistryCredential] = [], transport: any RegistryTransport = HTTPClient()) throws {
        self.reference = reference
        self.transport = transport
        base = try RegistryURL.parse((reference.usesPlainHTTP ? "http://" : "https://") + reference.endpointHost + "/")
        auth = RegistryAuthState(registry: reference.registry, repository: reference.repository, credentials: credentials)
    }

    private var registryName: String { reference.registry }

    /// The manifest or index for a tag or digest, verified when its digest is known.
    func manifest(_ tagOrDigest: String) async throws -> (bytes: [UInt8], contentType: String?, digest: String) {
        let path = "/v2/\(reference.repository)/manifests/\(tagOrDigest)"
        var bytes: [UInt8] = []
        let head = try await get(path, accept: MediaType.manifestAccept, what: "manifest \(tagOrDigest)") { _, chunk in
            guard bytes.count + chunk.readableBytes <= 4 << 20 else { throw ImageError("manifest \(tagOrDigest) is larger than 4 MiB") }
            bytes += chunk.readableBytesView
        }
        let actual = SHA256.digest(bytes)
        // Pinned by digest: the content must be exactly that. By tag: the registry's own digest header, when sent, must agree.
        let expected = Digest.isValid(tagOrDigest) ? tagOrDigest : head.header("Docker-Content-Digest")
        if let expected, expected.hasPrefix("sha256:"), expected != actual {
            throw ImageError("digest mismatch for manifest \(tagOrDigest) from \(registryName): expected \(expected), got \(actual); the registry or a proxy altered it")
        }
        return (bytes, head.header("Content-Type"), actual)
    }

    /// A small blob (an image config) in memory, verified.
    func blob(_ d: Descriptor) async throws -> [UInt8] {
        guard d.size <= 16 << 20 else { throw ImageError("config blob \(d.digest) declares \(d.size) bytes; refusing more than 16 MiB") }
        var bytes: [UInt8] = []
        _ = try await get("/v2/\(reference.repository)/blobs/\(d.digest)", accept: "*/*", what: "blob \(d.digest)") { _, chunk in
            guard bytes.count + chunk.readableBytes <= 16 << 20 else { throw ImageError("blob \(d.digest) is larger than 16 MiB") }
            bytes += chunk.readableBytesView
        }
        try Self.verify(digest: SHA256.digest(bytes), size: Int64(bytes.count), against: d)
        return bytes
    }

    /// Streams a layer blob into `path`, hashing as it goes; the file is removed if it does not verify.
    func download(_ d: Descriptor, to path: String) async throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageError("failed to create \(path): \(Posix.lastError)") }
        defer { close(fd) }
        var hasher = SHA256()
        do {
            _ = try await get("/v2/\(reference.repository)/blobs/\(d.digest)", accept: "*/*", what: "blob \(d.digest)") { _, chunk in
                if d.size >= 0 && hasher.count + Int64(chunk.readableBytes) > d.size {
                    throw ImageError("blob \(d.digest) from \(self.registryName) is larger than the \(d.size) bytes its manifest declares")
                }
                try chunk.withUnsafeReadableBytes { raw in
                    hasher.update(raw)
                    try Posix.writeAll(fd, raw, path: path)
                }
            }
            let size = hasher.count
            try Self.verify(digest: hasher.finalizeDigest(), size: size, against: d)
        } catch {
            unlink(path)
            throw error
        }
    }

    static func verify(digest: String, size: Int64, against d: Descriptor) throws {
        guard digest == d.digest else {
            throw ImageError("digest mismatch for blob \(d.digest): got \(digest); the download is corrupt or the registry serves wrong content")
        }
        if d.size >= 0 && size != d.size {
            throw ImageError("size mismatch for blob \(d.digest): manifest says \(d.size) bytes, got \(size)")
        }
    }

    // MARK: - Requests

    /// GET with auth and redirects; only a 200 body reaches `sink`, anything else becomes an error naming `what`.
    private func get(_ path: String, accept: String, what: String,
                     sink: (HTTPResponseHead, ByteBuffer) throws -> Void) async throws -> HTTPResponseHead {
        var url = base
        url.target = path
        var challenges = 0
        var redirects = 0
        while true {
            var headers: [(String, String)] = [("Accept", accept)]
            // Credentials go to the registry only, never to the storage a blob redirects to.
            let atRegistry = url.host == base.host && url.port == base.port
            let sent = atRegistry ? auth.authorization : nil
            if let sent { headers.append(("Authorization", sent)) }
            var errorBody: [UInt8] = []
            let head = try await transport.get(url, headers: headers) { head, chunk in
                if head.status == 200 { try sink(head, chunk) } else if errorBody.count < 65536 { errorBody += chunk.readableBytesView }
            }
            switch head.status {
            case 200:
                if sent != nil { auth.registryAccepted() }
                return head
            case 301, 302, 303, 307, 308:
                guard let location = head.header("Location"), redirects < 5 else {
                    throw ImageError("\(what): too many redirects from \(registryName)")
                }
                redirects += 1
                url = try url.resolve(location)
            case 401 where atRegistry && challenges <= auth.credentials.count + 1:
                // Bounded: each challenge uses up a credential or renews an expired token once.
                challenges += 1
                try await answer(auth.challenged(head.header("WWW-Authenticate")))
            default:
                throw Self.registryError(head.status, body: errorBody, what: what, registry: registryName, authenticated: sent != nil)
            }
        }
    }

    /// Carries out what the authentication state asks until it has an Authorization to retry with.
    private func answer(_ first: RegistryAuthState.Action) async throws {
        var action = first
        while true {
            switch action {
            case .retry:
                return
            case .fail(let message):
                throw ImageError(message)
            case .requestToken(let url, let authorization):
                var headers = [("Accept", "application/json")]
                if let authorization { headers.append(("Authorization", authorization)) }
                let (head, body) = try await transport.fetch(url, headers: headers, limit: 1 << 20)
                action = auth.tokenAnswered(status: head.status, body: body)
            }
        }
    }

    /// The distribution spec's error document ({"errors":[{"code","message"}]}) when there is one.
    static func registryError(_ status: Int, body: [UInt8], what: String, registry: String, authenticated: Bool) -> ImageError {
        var detail = ""
        if let json = try? JSONParser.parse(body), let first = json["errors"]?.array?.first {
            detail = first["message"]?.string ?? first["code"]?.string ?? ""
        }
        switch status {
        case 404 where detail.isEmpty: detail = what.hasPrefix("manifest") ? "manifest unknown" : "not found"
        case 401: detail = authenticated ? "unauthorized even after authenticating; the credentials may not grant access to this repository" : "unauthorized"
        case 403 where detail.isEmpty: detail = "access denied"
        case 429: detail = "rate limited by the registry; try again later"
        default: if detail.isEmpty { detail = "unexpected response" }
        }
        // Manifest errors read well alone ("manifest unknown (404)"); blob errors need the digest.
        return ImageError(what.hasPrefix("manifest") ? "\(detail) (\(status))" : "\(what): \(detail) (\(status))")
    }
}
