import EdgeAPI
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The OCI distribution API, pull side: manifests and blobs of one repository,
/// with the anonymous Bearer-token dance registries ask for and redirects to
/// blob storage followed. Every body is checked against its digest by the caller
/// or here; nothing a registry sends is trusted unverified.
final class RegistryClient {
    let reference: ImageReference
    private let base: RegistryURL
    private let http = HTTPClient()
    private var token: String?

    init(reference: ImageReference) throws {
        self.reference = reference
        base = try RegistryURL.parse((reference.usesPlainHTTP ? "http://" : "https://") + reference.endpointHost + "/")
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
        var triedToken = false
        var redirects = 0
        while true {
            var headers: [(String, String)] = [("Accept", accept)]
            // Credentials go to the registry only, never to the storage a blob redirects to.
            if let token, url.host == base.host, url.port == base.port { headers.append(("Authorization", "Bearer " + token)) }
            var errorBody: [UInt8] = []
            let head = try await http.get(url, headers: headers) { head, chunk in
                if head.status == 200 { try sink(head, chunk) } else if errorBody.count < 65536 { errorBody += chunk.readableBytesView }
            }
            switch head.status {
            case 200:
                return head
            case 301, 302, 303, 307, 308:
                guard let location = head.header("Location"), redirects < 5 else {
                    throw ImageError("\(what): too many redirects from \(registryName)")
                }
                redirects += 1
                url = try url.resolve(location)
            case 401 where !triedToken:
                triedToken = true
                try await authenticate(head.header("WWW-Authenticate"), what: what)
            default:
                throw Self.registryError(head.status, body: errorBody, what: what, registry: registryName, authenticated: triedToken)
            }
        }
    }

    private func authenticate(_ header: String?, what: String) async throws {
        guard let header, let challenge = AuthChallenge.parse(header) else {
            throw ImageError("\(what): registry \(registryName) demands authentication (401) without saying how (no WWW-Authenticate header)")
        }
        guard challenge.scheme == "bearer" else {
            throw ImageError("\(what): registry \(registryName) demands \(challenge.scheme) authentication; edgectl pulls anonymously with Bearer tokens only (registry credentials are not supported yet)")
        }
        guard let realm = challenge.parameters["realm"] else {
            throw ImageError("\(what): registry \(registryName) sent a Bearer challenge without a realm")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=" + RegistryURL.queryEscape(service)) }
        query.append("scope=" + RegistryURL.queryEscape(challenge.parameters["scope"] ?? "repository:\(reference.repository):pull"))
        var url = try RegistryURL.parse(realm)
        url.target += (url.target.contains("?") ? "&" : "?") + query.joined(separator: "&")
        let (head, body) = try await http.fetch(url, headers: [("Accept", "application/json")], limit: 1 << 20)
        guard head.status == 200 else {
            throw ImageError("\(what): token request to \(realm) failed (\(head.status)); the registry \(registryName) does not grant anonymous pull access to \(reference.repository)")
        }
        let json = try? JSONParser.parse(body)
        guard let t = json?["token"]?.string ?? json?["access_token"]?.string, !t.isEmpty else {
            throw ImageError("\(what): token service \(realm) answered without a token")
        }
        token = t
    }

    /// The distribution spec's error document ({"errors":[{"code","message"}]}) when there is one.
    static func registryError(_ status: Int, body: [UInt8], what: String, registry: String, authenticated: Bool) -> ImageError {
        var detail = ""
        if let json = try? JSONParser.parse(body), let first = json["errors"]?.array?.first {
            detail = first["message"]?.string ?? first["code"]?.string ?? ""
        }
        switch status {
        case 404 where detail.isEmpty: detail = what.hasPrefix("manifest") ? "manifest unknown" : "not found"
        case 401: detail = authenticated ? "unauthorized even with a token; the repository may be private" : "unauthorized"
        case 403 where detail.isEmpty: detail = "access denied"
        case 429: detail = "rate limited by the registry; try again later"
        default: if detail.isEmpty { detail = "unexpected response" }
        }
        // Manifest errors read well alone ("manifest unknown (404)"); blob errors need the digest.
        return ImageError(what.hasPrefix("manifest") ? "\(detail) (\(status))" : "\(what): \(detail) (\(status))")
    }
}
