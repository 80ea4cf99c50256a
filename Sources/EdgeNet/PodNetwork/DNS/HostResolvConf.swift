import EdgeAPI

/// Which resolv.conf pods with the Default policy (and the search domains of
/// ClusterFirst) start from, chosen as k3s chooses: the file given, else
/// /etc/resolv.conf unless its nameservers are all loopback (a local stub
/// such as systemd-resolved's 127.0.0.53, unreachable from a pod), else
/// systemd-resolved's upstream list, else a file of edgectl's own with 8.8.8.8.
public enum HostResolvConf {
    public static let etc = "/etc/resolv.conf"
    public static let systemd = "/run/systemd/resolve/resolv.conf"

    /// `read` returns a file's text (nil if missing): injectable for tests.
    public static func choose(explicit: String?, fallbackPath: String, read: (String) -> String?) -> (path: String, needsFallbackFile: Bool) {
        if let explicit, !explicit.isEmpty { return (explicit, false) }
        for candidate in [etc, systemd] {
            if let text = read(candidate), usable(ResolvConf.parse(text)) { return (candidate, false) }
        }
        return (fallbackPath, true)
    }

    /// Has at least one nameserver a pod can reach (not loopback).
    public static func usable(_ conf: ResolvConf) -> Bool {
        conf.nameservers.contains { ns in
            if let ip = IPv4Address(ns) { return !ip.isLoopback }
            return ns != "::1"
        }
    }

    public static let fallbackContents = "nameserver 8.8.8.8\n"
}
