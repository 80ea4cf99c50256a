/// A parsed image reference, with Docker's defaults applied: registry
/// docker.io, "library/" for official images, tag "latest" unless a digest is given.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// "docker.io", "127.0.0.1:5000", "[::1]:5000".
    public var registry: String
    /// "library/busybox".
    public var repository: String
    public var tag: String?
    /// "sha256:<64 hex>".
    public var digest: String?

    public static func parse(_ text: String) throws -> ImageReference {
        var rest = Substring(text.trimmingSpaces)
        guard !rest.isEmpty else { throw ImageError("empty image reference") }
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let d = String(rest[rest.index(after: at)...])
            guard Digest.isValid(d) else {
                throw ImageError("invalid digest in image reference \(text): expected sha256:<64 hex digits>")
            }
            digest = d
            rest = rest[..<at]
        }
        var registry = "docker.io"
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.hasPrefix("[") {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = "docker.io" }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var repository = String(rest)
        if registry == "docker.io" && !repository.contains("/") { repository = "library/" + repository }
        guard Self.isValidRepository(repository) else {
            throw ImageError("invalid image reference \(text): repository names are lowercase letters, digits and . _ - / separators")
        }
        if let tag, !Self.isValidTag(tag) {
            throw ImageError("invalid tag in image reference \(text): tags are up to 128 letters, digits, _ . -")
        }
        if tag == nil && digest == nil { tag = "latest" }
        return ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    public var description: String {
        var s = registry + "/" + repository
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest }
        return s
    }

    /// registry/repository, without tag or digest (crictl's IMAGE column).
    public var name: String { registry + "/" + repository }

    /// What the manifest endpoint is asked for: the digest when pinned, else the tag.
    var manifestReference: String { digest ?? tag ?? "latest" }

    /// Hostname and port to connect to (Docker Hub's API is not served at docker.io).
    var endpointHost: String { registry == "docker.io" ? "registry-1.docker.io" : registry }

    /// Loopback registries speak plain HTTP, as docker and containerd assume for them.
    var usesPlainHTTP: Bool {
        let host = RegistryURL.splitHostPort(endpointHost).host
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func isValidRepository(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255 else { return false }
        for component in s.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = component.utf8.first, let last = component.utf8.last,
                  isLowerAlnum(first), isLowerAlnum(last) else { return false }
            for c in component.utf8 where !(isLowerAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")) {
                return false
            }
        }
        return true
    }

    private static func isValidTag(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 128, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return s.utf8.allSatisfy { isLowerAlnum($0) || ($0 >= 65 && $0 <= 90) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" || s.first == "\n" || s.first == "\r" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\n" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
