import EdgeTLS

/// Names of the proxy's chains. Fixed ones hold the dispatch; per service
/// port and endpoint the name carries a hash of what it serves (as kube-proxy's
/// KUBE-SVC-/KUBE-SEP-), so a chain keeps its name while its rules change.
enum ProxyChains {
    // nat
    static let services = "EDGE-SERVICES"
    static let nodePorts = "EDGE-NODEPORTS"
    static let postrouting = "EDGE-POSTROUTING"
    static let markMasq = "EDGE-MARK-MASQ"
    static let hostPorts = "EDGE-HOSTPORTS"
    static let podEgress = "EDGE-POD-EGRESS"
    // filter (EDGE-SERVICES there too: rejects for services without endpoints)
    static let externalServices = "EDGE-EXTERNAL-SERVICES"
    static let forward = "EDGE-FORWARD"

    /// The mark that asks EDGE-POSTROUTING to masquerade (kube-proxy's bit).
    static let masqMark = "0x4000"

    static func svc(_ p: ProxyServicePort) -> String { "EDGE-SVC-" + hash(p.key + "/" + p.proto) }
    static func svl(_ p: ProxyServicePort) -> String { "EDGE-SVL-" + hash(p.key + "/" + p.proto) }
    static func ext(_ p: ProxyServicePort) -> String { "EDGE-EXT-" + hash(p.key + "/" + p.proto) }
    static func sep(_ p: ProxyServicePort, _ e: ProxyEndpoint) -> String { "EDGE-SEP-" + hash(p.key + "/" + p.proto + "/" + e.address) }
    /// Cluster IPs are dispatched per /24: one changed service rewrites its
    /// bucket (at most 256 rules), not one chain holding every service.
    static func bucket(_ clusterIP: UInt32) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var s = "EDGE-CIP-"
        for shift in stride(from: 28, through: 8, by: -4) { s.unicodeScalars.append(Unicode.Scalar(hex[Int((clusterIP >> UInt32(shift)) & 15)])) }
        return s
    }

    /// First 16 characters of the base32 SHA-256 (80 bits): names from user input must not collide.
    static func hash(_ s: String) -> String {
        let d = Digest.sha256(Array(s.utf8))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var out = ""
        var bits: UInt32 = 0, count = 0
        for b in d {
            bits = bits << 8 | UInt32(b)
            count += 8
            while count >= 5 && out.utf8.count < 16 {
                count -= 5
                out.unicodeScalars.append(Unicode.Scalar(alphabet[Int((bits >> UInt32(count)) & 31)]))
            }
            if out.utf8.count >= 16 { break }
        }
        return out
    }

    /// EDGE-FORWARD, for a host that would not forward otherwise (FORWARD policy DROP, as Docker
    /// sets it): kube-proxy's accepts of masquerade-marked and established traffic, then flannel's
    /// of the pod range both ways (new pod-to-pod and NodePort flows, whose DNAT made them pod-bound).
    /// A pod's new connection to a service without endpoints is still a pod's: with `rejectsFirst`
    /// (the iptables mode, whose refusals are in the filter table) the refusals are looked at before
    /// the pod range's accepts, whatever the order of the jumps from FORWARD (an upgraded node's
    /// may differ); the nftables mode refuses in its own table, before iptables' FORWARD runs.
    static func forwardRules(_ settings: ProxySettings, rejectsFirst: Bool) -> [String] {
        var rules = [
            "-m comment --comment \"edgectl forwarding rules\" -m mark --mark \(masqMark)/\(masqMark) -j ACCEPT",
            "-m comment --comment \"edgectl forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        ]
        if let cluster = settings.clusterBlock {
            if rejectsFirst {
                rules += ["-m conntrack --ctstate NEW -j \(services)", "-m conntrack --ctstate NEW -j \(externalServices)"]
            }
            rules += ["-s \(cluster) -m comment --comment \"edgectl pod traffic out\" -j ACCEPT",
                      "-d \(cluster) -m comment --comment \"edgectl pod traffic in\" -j ACCEPT"]
        }
        return rules
    }

    static let forwardJump = IPTablesJump(table: "filter", chain: "FORWARD", comment: "edgectl forwarding rules", target: forward)

    /// The jumps from built-in chains, in the order they must end up in.
    static let jumps: [IPTablesJump] = [
        IPTablesJump(table: "nat", chain: "PREROUTING", comment: "edgectl hostport portals", match: "-m addrtype --dst-type LOCAL", target: hostPorts),
        IPTablesJump(table: "nat", chain: "PREROUTING", comment: "edgectl service portals", target: services),
        IPTablesJump(table: "nat", chain: "OUTPUT", comment: "edgectl hostport portals", match: "-m addrtype --dst-type LOCAL", target: hostPorts),
        IPTablesJump(table: "nat", chain: "OUTPUT", comment: "edgectl service portals", target: services),
        IPTablesJump(table: "nat", chain: "POSTROUTING", comment: "edgectl postrouting rules", target: postrouting),
        IPTablesJump(table: "nat", chain: "POSTROUTING", comment: "edgectl pod egress masquerade", target: podEgress),
        IPTablesJump(table: "filter", chain: "INPUT", comment: "edgectl externally visible service portals",
                     match: "-m conntrack --ctstate NEW", target: externalServices),
        forwardJump,
        IPTablesJump(table: "filter", chain: "FORWARD", comment: "edgectl service portals", match: "-m conntrack --ctstate NEW", target: services),
        IPTablesJump(table: "filter", chain: "FORWARD", comment: "edgectl externally visible service portals",
                     match: "-m conntrack --ctstate NEW", target: externalServices),
        IPTablesJump(table: "filter", chain: "OUTPUT", comment: "edgectl service portals", match: "-m conntrack --ctstate NEW", target: services),
    ]

    /// Names from objects as they may appear in a rule's comment: anything but
    /// [A-Za-z0-9./:_-] (quotes, spaces, newlines) becomes "_", and the whole is
    /// kept within iptables' 256-byte comment, so no object can break the
    /// restore input (and with it every service's rules).
    static func comment(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(200) {
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "/", ":", "_", "-": out.unicodeScalars.append(u)
            default: out.append("_")
            }
        }
        return out
    }

    /// kube-proxy's probability for the i-th of n endpoints: 1/(n-i), ten decimals.
    static func probability(_ remaining: Int) -> String {
        let scaled = Int64((10_000_000_000.0 / Double(max(remaining, 1))).rounded())
        if scaled >= 10_000_000_000 { return "1.0000000000" }
        let digits = String(scaled)
        return "0." + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }
}
