/// The node's upstream resolvers, from a resolv.conf. Loopback nameservers
/// are left out, as kubelet and CoreDNS do: a stub resolver on 127.0.0.53
/// (systemd-resolved) answers the node only, and forwarding to a local
/// resolver that forwards back here would loop; systemd-resolved's own list
/// of real upstreams is used instead when that is all the file has.
public enum UpstreamResolvers {
    public static let systemdResolvedUpstreams = "/run/systemd/resolve/resolv.conf"

    /// IPv4 nameservers of the file's text, in order, without loopback ones.
    public static func nameservers(_ text: String) -> [String] {
        var out: [String] = []
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver", let ip = IPv4Text.parse(fields[1]) else { continue }
            if ip >> 24 == 127 || ip == 0 { continue }
            let s = IPv4Text.format(ip)
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    /// From `path`, falling back to systemd-resolved's upstream list when the file names only loopback resolvers.
    public static func upstreams(path: String, read: (String) -> String?) -> [String] {
        let primary = read(path).map(nameservers) ?? []
        if !primary.isEmpty || path == systemdResolvedUpstreams { return primary }
        return read(systemdResolvedUpstreams).map(nameservers) ?? []
    }
}
