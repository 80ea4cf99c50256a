/// A registry key of a pull secret, matched against an image the way the
/// kubelet's keyring matches: a scheme and a /v1/ or /v2/ API prefix in the key
/// are ignored; the host must match label by label (a label may be a glob with
/// `*` and `?`, so `*.example.com` covers `registry.example.com` but not
/// `example.com`), the port must be the same (none matches none), and the key's
/// path, if any, must be a prefix of the image's repository path.
struct RegistryKeyPattern: Sendable, Equatable {
    var hostLabels: [String]
    var port: String
    /// "" or "/team/app": compared as a string prefix of the image's "/repository...".
    var path: String

    /// Hub's names: an image without a registry host comes from here, and a key for any of them serves it.
    static let defaultRegistryHosts: Set<String> = ["index.docker.io", "docker.io", "registry-1.docker.io"]

    init(key: String) {
        var rest = Substring(key)
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        // docker login writes Hub's key as https://index.docker.io/v1/: the API version is not part of any repository path.
        for api in ["/v1/", "/v2/"] where path.hasPrefix(api) { path = String(path.dropFirst(3)) }
        if path == "/" { path = "" }
        (hostLabels, port) = Self.split(authority: String(rest))
        self.path = path
    }

    /// Whether credentials under this key go with `image` ("127.0.0.1:5000/busybox:latest", "busybox").
    func matches(image: String) -> Bool {
        let (authority, imagePath) = Self.registryPart(of: image)
        if authority == nil || Self.defaultRegistryHosts.contains(authority!) {
            // Docker Hub images: matched by any of Hub's names, not by the first path component.
            return port.isEmpty && Self.defaultRegistryHosts.contains(hostLabels.joined(separator: ".")) && imagePath.hasPrefix(path)
        }
        let (labels, imagePort) = Self.split(authority: authority!)
        guard imagePort == port, labels.count == hostLabels.count else { return false }
        for (pattern, label) in zip(hostLabels, labels) where !Self.glob(pattern, label) { return false }
        return imagePath.hasPrefix(path)
    }

    /// "registry:5000/team/app:v1" -> ("registry:5000", "/team/app:v1"); "team/app" (no host) -> (nil, "/team/app").
    static func registryPart(of image: String) -> (authority: String?, path: String) {
        guard let slash = image.firstIndex(of: "/") else { return (nil, "/" + image) }
        let first = image[..<slash]
        // Docker's rule: the first component is a registry host only if it looks like one.
        guard first.contains(".") || first.contains(":") || first == "localhost" else { return (nil, "/" + image) }
        return (String(first).lowercased(), String(image[slash...]))
    }

    /// "[::1]:5000" -> (["::1"], "5000"); "Registry.Example.com" -> (["registry", "example", "com"], "").
    static func split(authority: String) -> (labels: [String], port: String) {
        var host = Substring(authority.lowercased())
        var port = ""
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
            return ([String(host[host.index(after: host.startIndex)..<close])], port)
        }
        if let colon = host.lastIndex(of: ":") {
            port = String(host[host.index(after: colon)...])
            host = host[..<colon]
        }
        return (host.split(separator: ".", omittingEmptySubsequences: false).map(String.init), port)
    }

    /// Shell-style match of one host label: `*` any run of characters, `?` any one.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0
        var star = -1, resume = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi; resume = ti; pi += 1
            } else if star >= 0 {
                // Backtrack: let the last star swallow one more character.
                pi = star + 1; resume += 1; ti = resume
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
