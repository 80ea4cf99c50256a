import EdgeAPI

/// The cluster's names, as CoreDNS's kubernetes plugin serves them, from a
/// snapshot of Services and EndpointSlices:
///
/// - `svc.ns.svc.<domain>`: A (cluster IP, or each ready endpoint of a headless
///   service), CNAME (ExternalName), SRV (one per named port);
/// - `host.svc.ns.svc.<domain>`: an endpoint by hostname (StatefulSet pods)
///   or by its dashed address;
/// - `_port._proto.svc.ns.svc.<domain>`: SRV for one named port;
/// - `a-b-c-d.ns.pod.<domain>`: A (CoreDNS's "pods insecure", k3s's default);
/// - `d.c.b.a.in-addr.arpa`: PTR for service and endpoint addresses; other
///   reverse names fall through to the upstream resolvers.
///
/// Names under the domain that do not exist are NXDOMAIN (never forwarded),
/// existing names without the asked type NODATA; both carry the zone's SOA.
struct ClusterDNSZone: Sendable {
    struct Port: Equatable, Sendable {
        var name: String
        var proto: String
        var port: Int
    }

    struct Endpoint: Equatable, Sendable {
        var ip: UInt32
        /// Its explicit hostname, or the address with dashes (CoreDNS's endpoint name).
        var hostname: String
        var ports: [Port]
    }

    struct Service: Sendable {
        var clusterIP: UInt32?
        var headless: Bool
        var externalName: DNSName?
        var ports: [Port]
        var endpoints: [Endpoint]
    }

    static let ttl: UInt32 = 5

    let domain: DNSName
    let serial: UInt32
    private(set) var services: [String: Service] = [:]
    private(set) var namespaces: Set<String> = []
    private(set) var reverse: [UInt32: [DNSName]] = [:]
    let reverseZone = DNSName("in-addr.arpa")!

    init(domain: DNSName, serial: UInt32) {
        self.domain = domain
        self.serial = serial
    }

    /// Builds the zone from the informers' objects.
    static func build(services: [JSON], slices: [JSON], domain: DNSName, serial: UInt32) -> ClusterDNSZone {
        var zone = ClusterDNSZone(domain: domain, serial: serial)
        var slicesByService: [String: [JSON]] = [:]
        for s in slices where (s["addressType"]?.string ?? "IPv4") == "IPv4" {
            guard let svc = s[path: ["metadata", "labels", "kubernetes.io/service-name"]]?.string else { continue }
            slicesByService[(s[path: ["metadata", "namespace"]]?.string ?? "") + "/" + svc, default: []].append(s)
        }
        for svc in services {
            let ns = (svc[path: ["metadata", "namespace"]]?.string ?? "").lowercased()
            let name = (svc[path: ["metadata", "name"]]?.string ?? "").lowercased()
            guard !ns.isEmpty, !name.isEmpty else { continue }
            let spec = svc["spec"] ?? [:]
            let type = spec["type"]?.string ?? "ClusterIP"
            var entry = Service(clusterIP: nil, headless: false, externalName: nil, ports: [], endpoints: [])
            entry.ports = (spec["ports"]?.array ?? []).compactMap { p in
                guard let port = p["port"]?.int, (1...65535).contains(port) else { return nil }
                return Port(name: (p["name"]?.string ?? "").lowercased(), proto: (p["protocol"]?.string ?? "TCP").lowercased(), port: Int(port))
            }
            if type == "ExternalName" {
                guard let target = spec["externalName"]?.string.flatMap(DNSName.init), !target.labels.isEmpty else { continue }
                entry.externalName = target
            } else if let cip = spec["clusterIP"]?.string, let ip = IPv4Text.parse(cip) {
                entry.clusterIP = ip
            } else if spec["clusterIP"]?.string == "None" {
                entry.headless = true
            } else {
                continue
            }
            let fqdn = [name, ns, "svc"] + domain
            if let ip = entry.clusterIP { zone.reverse[ip, default: []].append(fqdn) }
            var seen: Set<UInt32> = []
            for slice in slicesByService[(svc[path: ["metadata", "namespace"]]?.string ?? "") + "/" + (svc[path: ["metadata", "name"]]?.string ?? "")] ?? [] {
                let ports: [Port] = (slice["ports"]?.array ?? []).compactMap { p in
                    guard let port = p["port"]?.int, (1...65535).contains(port) else { return nil }
                    return Port(name: (p["name"]?.string ?? "").lowercased(), proto: (p["protocol"]?.string ?? "TCP").lowercased(), port: Int(port))
                }
                for e in slice["endpoints"]?.array ?? [] {
                    guard e[path: ["conditions", "ready"]]?.bool ?? true,
                          let text = e["addresses"]?.array?.first?.string, let ip = IPv4Text.parse(text), !seen.contains(ip) else { continue }
                    seen.insert(ip)
                    var host = text.replacingDots
                    if let h = e["hostname"]?.string, DNSName(h)?.labels.count == 1 { host = h.lowercased() }
                    entry.endpoints.append(Endpoint(ip: ip, hostname: host, ports: ports))
                    zone.reverse[ip, default: []].append([host, name, ns, "svc"] + domain)
                }
            }
            entry.endpoints.sort { $0.ip < $1.ip }
            zone.services[ns + "/" + name] = entry
            zone.namespaces.insert(ns)
        }
        return zone
    }

    enum Outcome: Equatable {
        case answer(DNSAnswer)
        /// Not ours: ask the upstream resolvers.
        case forward
    }

    func answer(_ q: DNSQuestion) -> Outcome {
        guard q.qclass == 1 || q.qclass == 255 else { return q.name.hasSuffix(domain) ? .answer(DNSAnswer(rcode: DNSRcode.refused)) : .forward }
        if q.name.hasSuffix(domain) { return .answer(inZone(q)) }
        if q.name.hasSuffix(reverseZone) && q.type == DNSType.ptr, let a = reversed(q) { return .answer(a) }
        return .forward
    }

    var soa: DNSRecord {
        DNSRecord(name: domain, ttl: Self.ttl, data: .soa(mname: ["ns", "dns"] + domain, rname: ["hostmaster"] + domain, serial: serial,
                                                         refresh: 7200, retry: 1800, expire: 86400, minimum: Self.ttl))
    }

    func nxdomain() -> DNSAnswer { DNSAnswer(rcode: DNSRcode.nxDomain, authority: [soa]) }
    func nodata() -> DNSAnswer { DNSAnswer(authority: [soa]) }

    func inZone(_ q: DNSQuestion) -> DNSAnswer {
        let rel = q.name.relative(to: domain)
        let type = q.type == DNSType.any ? DNSType.a : q.type
        guard let kind = rel.last else {
            switch type {
            case DNSType.soa: return DNSAnswer(answers: [soa])
            case DNSType.ns: return DNSAnswer(answers: [DNSRecord(name: domain, ttl: Self.ttl, data: .ns(["ns", "dns"] + domain))])
            default: return nodata()
            }
        }
        switch (kind, rel.count) {
        case ("svc", 1), ("pod", 1):
            return nodata()
        case ("svc", 2), ("pod", 2):
            return namespaces.contains(rel[0]) ? nodata() : nxdomain()
        case ("svc", 3):
            guard let s = services[rel[1] + "/" + rel[0]] else { return nxdomain() }
            return serviceAnswer(q.name, s, type: type, service: rel[0], namespace: rel[1])
        case ("svc", 4):
            guard let s = services[rel[2] + "/" + rel[1]] else { return nxdomain() }
            let matches = s.endpoints.filter { $0.hostname == rel[0] }
            guard !matches.isEmpty else { return nxdomain() }
            guard type == DNSType.a else { return nodata() }
            return DNSAnswer(answers: matches.map { DNSRecord(name: q.name, ttl: Self.ttl, data: .a($0.ip)) })
        case ("svc", 5) where rel[0].hasPrefix("_") && rel[1].hasPrefix("_"):
            guard let s = services[rel[3] + "/" + rel[2]] else { return nxdomain() }
            let portName = String(rel[0].dropFirst()), proto = String(rel[1].dropFirst())
            guard s.ports.contains(where: { $0.name == portName && $0.proto == proto }) else { return nxdomain() }
            guard type == DNSType.srv else { return nodata() }
            return srvAnswer(q.name, s, service: rel[2], namespace: rel[3], only: (portName, proto))
        case ("pod", 3):
            guard let ip = IPv4Text.parse(rel[0].replacingDashes), rel[0].contains("-") else { return nxdomain() }
            return type == DNSType.a ? DNSAnswer(answers: [DNSRecord(name: q.name, ttl: Self.ttl, data: .a(ip))]) : nodata()
        default:
            return nxdomain()
        }
    }

    func serviceAnswer(_ name: DNSName, _ s: Service, type: UInt16, service: String, namespace: String) -> DNSAnswer {
        if let target = s.externalName {
            return DNSAnswer(answers: [DNSRecord(name: name, ttl: Self.ttl, data: .cname(target))])
        }
        switch type {
        case DNSType.a:
            if let ip = s.clusterIP { return DNSAnswer(answers: [DNSRecord(name: name, ttl: Self.ttl, data: .a(ip))]) }
            let records = s.endpoints.map { DNSRecord(name: name, ttl: Self.ttl, data: .a($0.ip)) }
            return records.isEmpty ? nodata() : DNSAnswer(answers: records)
        case DNSType.srv:
            return srvAnswer(name, s, service: service, namespace: namespace, only: nil)
        default:
            return nodata()
        }
    }

    /// SRV records (priority 0, weight 100/n as CoreDNS) with the targets' A records as extras.
    func srvAnswer(_ name: DNSName, _ s: Service, service: String, namespace: String, only: (String, String)?) -> DNSAnswer {
        var answers: [DNSRecord] = [], extra: [DNSRecord] = []
        let svcName = [service, namespace, "svc"] + domain
        func wanted(_ p: Port) -> Bool {
            guard !p.name.isEmpty else { return false }
            guard let (n, proto) = only else { return true }
            return p.name == n && p.proto == proto
        }
        var targets: [(UInt16, DNSName, UInt32)] = []
        if let ip = s.clusterIP {
            for p in s.ports where wanted(p) { targets.append((UInt16(p.port), svcName, ip)) }
        } else {
            for e in s.endpoints {
                for p in e.ports where wanted(p) { targets.append((UInt16(p.port), [e.hostname] + svcName, e.ip)) }
            }
        }
        guard !targets.isEmpty else { return nodata() }
        let weight = UInt16(100 / targets.count)
        var extraSeen: Set<DNSName> = []
        for (port, target, ip) in targets {
            answers.append(DNSRecord(name: name, ttl: Self.ttl, data: .srv(priority: 0, weight: max(weight, 1), port: port, target: target)))
            if extraSeen.insert(target).inserted { extra.append(DNSRecord(name: target, ttl: Self.ttl, data: .a(ip))) }
        }
        return DNSAnswer(answers: answers, additional: extra)
    }

    /// PTR for a cluster address; nil (forward) for any other.
    func reversed(_ q: DNSQuestion) -> DNSAnswer? {
        let rel = q.name.relative(to: reverseZone)
        guard rel.count == 4, let ip = IPv4Text.parse(rel.reversed().joined(separator: ".")), let names = reverse[ip] else { return nil }
        return DNSAnswer(answers: names.map { DNSRecord(name: q.name, ttl: Self.ttl, data: .ptr($0)) })
    }
}
