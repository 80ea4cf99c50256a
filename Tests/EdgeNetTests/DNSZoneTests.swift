import EdgeAPI
import XCTest
@testable import EdgeNet

/// The cluster zone's answers, CoreDNS's kubernetes plugin being the reference.
final class DNSZoneTests: XCTestCase {
    static func zone() -> ClusterDNSZone {
        let web: JSON = ["metadata": ["name": "web", "namespace": "default"],
                         "spec": ["clusterIP": "10.43.0.20", "ports": [["name": "http", "port": 80, "protocol": "TCP"]]]]
        let db: JSON = ["metadata": ["name": "db", "namespace": "prod"],
                        "spec": ["clusterIP": "None", "ports": [["name": "pg", "port": 5432, "protocol": "TCP"]]]]
        let ext: JSON = ["metadata": ["name": "ext", "namespace": "default"], "spec": ["type": "ExternalName", "externalName": "example.org"]]
        let webSlice: JSON = ["metadata": ["namespace": "default", "labels": ["kubernetes.io/service-name": "web"]], "addressType": "IPv4",
                              "ports": [["name": "http", "port": 8080, "protocol": "TCP"]],
                              "endpoints": [["addresses": ["10.42.0.5"], "conditions": ["ready": true]]]]
        let dbSlice: JSON = ["metadata": ["namespace": "prod", "labels": ["kubernetes.io/service-name": "db"]], "addressType": "IPv4",
                             "ports": [["name": "pg", "port": 5432, "protocol": "TCP"]],
                             "endpoints": [["addresses": ["10.42.1.7"], "hostname": "db-0", "conditions": ["ready": true]],
                                           ["addresses": ["10.42.2.7"], "hostname": "db-1", "conditions": ["ready": true]],
                                           ["addresses": ["10.42.2.9"], "hostname": "db-2", "conditions": ["ready": false]]]]
        return ClusterDNSZone.build(services: [web, db, ext], slices: [webSlice, dbSlice], domain: DNSName("cluster.local")!, serial: 7)
    }

    func ask(_ name: String, _ type: UInt16, udp: Bool = true, edns: UInt16? = nil) throws -> DNSTest.Parsed {
        let responder = DNSResponder(zone: Self.zone())
        guard case .reply(let bytes) = responder.respond(DNSTest.query(name, type: type, edns: edns), source: nil, udp: udp) else {
            throw DNSWireError("not answered locally: \(name)")
        }
        return try DNSTest.parse(bytes)
    }

    func testAServiceNameAnswersItsClusterIPAuthoritatively() throws {
        let r = try ask("web.default.svc.cluster.local", DNSType.a)
        XCTAssertEqual(r.rcode, DNSRcode.noError)
        XCTAssertEqual(r.id, 0x1234)
        XCTAssertTrue(r.flags & 0x0400 != 0 && r.flags & 0x8000 != 0, "AA and QR")
        XCTAssertEqual(r.answers.map(\.data), ["10.43.0.20"])
        XCTAssertEqual(r.answers.first?.ttl, 5)
        XCTAssertEqual(try ask("WEB.Default.SVC.cluster.local.", DNSType.a).answers.map(\.data), ["10.43.0.20"], "case does not matter")
    }

    func testAHeadlessServiceAnswersEachReadyEndpointAndItsPodsByHostname() throws {
        XCTAssertEqual(try ask("db.prod.svc.cluster.local", DNSType.a).answers.map(\.data), ["10.42.1.7", "10.42.2.7"])
        XCTAssertEqual(try ask("db-1.db.prod.svc.cluster.local", DNSType.a).answers.map(\.data), ["10.42.2.7"])
        XCTAssertEqual(try ask("db-2.db.prod.svc.cluster.local", DNSType.a).rcode, DNSRcode.nxDomain, "not ready: not published")
        XCTAssertEqual(try ask("10-42-0-5.web.default.svc.cluster.local", DNSType.a).answers.map(\.data), ["10.42.0.5"],
                       "an endpoint without a hostname is named by its address")
    }

    func testSRVForNamedPorts() throws {
        let svc = try ask("_http._tcp.web.default.svc.cluster.local", DNSType.srv)
        XCTAssertEqual(svc.answers.map(\.data), ["0 100 80 web.default.svc.cluster.local."])
        XCTAssertEqual(svc.additional.map(\.data), ["10.43.0.20"])
        let headless = try ask("_pg._tcp.db.prod.svc.cluster.local", DNSType.srv)
        XCTAssertEqual(headless.answers.map(\.data), ["0 50 5432 db-0.db.prod.svc.cluster.local.", "0 50 5432 db-1.db.prod.svc.cluster.local."])
        XCTAssertEqual(headless.additional.map(\.name), ["db-0.db.prod.svc.cluster.local.", "db-1.db.prod.svc.cluster.local."])
        XCTAssertEqual(try ask("web.default.svc.cluster.local", DNSType.srv).answers.count, 1, "all named ports")
        XCTAssertEqual(try ask("_http._udp.web.default.svc.cluster.local", DNSType.srv).rcode, DNSRcode.nxDomain)
    }

    func testPTRForServiceAndEndpointAddressesOthersAreForwarded() throws {
        XCTAssertEqual(try ask("20.0.43.10.in-addr.arpa", DNSType.ptr).answers.map(\.data), ["web.default.svc.cluster.local."])
        XCTAssertEqual(try ask("7.1.42.10.in-addr.arpa", DNSType.ptr).answers.map(\.data), ["db-0.db.prod.svc.cluster.local."])
        let responder = DNSResponder(zone: Self.zone())
        guard case .forward = responder.respond(DNSTest.query("8.8.8.8.in-addr.arpa", type: DNSType.ptr), source: nil, udp: true) else {
            return XCTFail("an address the cluster does not know goes upstream")
        }
    }

    func testExternalNameIsACNAMEWhoseTargetIsResolvedAndPodNamesAnswerTheirAddress() throws {
        let responder = DNSResponder(zone: Self.zone())
        guard case .chase(_, let a, let target) = responder.respond(DNSTest.query("ext.default.svc.cluster.local", type: DNSType.a), source: nil, udp: true) else {
            return XCTFail("an outside target is resolved upstream")
        }
        XCTAssertEqual(target, DNSName("example.org"))
        XCTAssertEqual(a.answers.map(\.data), [.cname(DNSName("example.org")!)])
        let cname = try ask("ext.default.svc.cluster.local", DNSType.cname)
        XCTAssertEqual(cname.answers.map(\.data), ["example.org."], "asked for the CNAME itself: answered here")
        // A target inside the cluster is answered from the zone, CNAME first.
        let inner: JSON = ["metadata": ["name": "alias", "namespace": "default"],
                           "spec": ["type": "ExternalName", "externalName": "web.default.svc.cluster.local"]]
        let web: JSON = ["metadata": ["name": "web", "namespace": "default"], "spec": ["clusterIP": "10.43.0.20", "ports": [["port": 80]]]]
        let local = DNSResponder(zone: ClusterDNSZone.build(services: [inner, web], slices: [], domain: DNSName("cluster.local")!, serial: 1))
        guard case .reply(let b) = local.respond(DNSTest.query("alias.default.svc.cluster.local", type: DNSType.a), source: nil, udp: true) else { return XCTFail() }
        XCTAssertEqual(try DNSTest.parse(b).answers.map(\.data), ["web.default.svc.cluster.local.", "10.43.0.20"])
        // Upstream's answer for the target, read back for the combined reply.
        guard case .query(let q) = DNSQuery.parse(DNSTest.query("example.org", type: DNSType.a)) else { return XCTFail() }
        let upstream = DNSAnswer(authoritative: false, answers: [DNSRecord(name: DNSName("example.org")!, ttl: 60, data: .cname(DNSName("cdn.example.net")!)),
                                                                  DNSRecord(name: DNSName("cdn.example.net")!, ttl: 60, data: .a(0xC0000263))])
        let w = (bytes: upstream.encode(for: q, limit: 512), ())
        let got = try XCTUnwrap(DNSAnswer.answerRecords(w.bytes))
        XCTAssertEqual(got.records.map(\.data), [.cname(DNSName("cdn.example.net")!), .a(0xC0000263)])
        XCTAssertEqual(try ask("10-42-3-4.default.pod.cluster.local", DNSType.a).answers.map(\.data), ["10.42.3.4"])
        XCTAssertEqual(try ask("not-an-ip.default.pod.cluster.local", DNSType.a).rcode, DNSRcode.nxDomain)
    }

    func testNXDomainForMissingNamesAndNoDataForMissingTypesBothWithTheSOA() throws {
        let missing = try ask("nope.default.svc.cluster.local", DNSType.a)
        XCTAssertEqual(missing.rcode, DNSRcode.nxDomain)
        XCTAssertEqual(missing.authority.map(\.type), [DNSType.soa])
        // What a pod's search path produces for an outside name: answered NXDOMAIN here, never forwarded.
        XCTAssertEqual(try ask("example.org.default.svc.cluster.local", DNSType.a).rcode, DNSRcode.nxDomain)
        XCTAssertEqual(try ask("web.default.svc.cluster.local.default.svc.cluster.local", DNSType.a).rcode, DNSRcode.nxDomain)
        let aaaa = try ask("web.default.svc.cluster.local", DNSType.aaaa)
        XCTAssertEqual(aaaa.rcode, DNSRcode.noError)
        XCTAssertEqual(aaaa.answers.count, 0)
        XCTAssertEqual(aaaa.authority.map(\.type), [DNSType.soa])
        XCTAssertEqual(try ask("default.svc.cluster.local", DNSType.a).rcode, DNSRcode.noError, "a namespace with services exists")
        XCTAssertEqual(try ask("empty.svc.cluster.local", DNSType.a).rcode, DNSRcode.nxDomain)
        XCTAssertEqual(try ask("cluster.local", DNSType.soa).answers.map(\.type), [DNSType.soa])
    }

    func testALargeAnswerIsTruncatedOverUDPAndWholeOverTCP() throws {
        var eps: [JSON] = []
        for i in 1...60 { eps.append(["addresses": [.string("10.42.5.\(i)")], "conditions": ["ready": true]]) }
        let svc: JSON = ["metadata": ["name": "big", "namespace": "default"], "spec": ["clusterIP": "None", "ports": [["name": "x", "port": 1]]]]
        let slice: JSON = ["metadata": ["namespace": "default", "labels": ["kubernetes.io/service-name": "big"]], "addressType": "IPv4",
                           "ports": [["name": "x", "port": 1, "protocol": "TCP"]], "endpoints": .array(eps)]
        let responder = DNSResponder(zone: ClusterDNSZone.build(services: [svc], slices: [slice], domain: DNSName("cluster.local")!, serial: 1))
        guard case .reply(let udp) = responder.respond(DNSTest.query("big.default.svc.cluster.local", type: DNSType.a), source: nil, udp: true),
              case .reply(let tcp) = responder.respond(DNSTest.query("big.default.svc.cluster.local", type: DNSType.a), source: nil, udp: false)
        else { return XCTFail() }
        XCTAssertLessThanOrEqual(udp.count, 512)
        XCTAssertTrue(try DNSTest.parse(udp).flags & 0x0200 != 0, "TC set")
        XCTAssertEqual(try DNSTest.parse(tcp).answers.count, 60)
    }

    func testQueriesFromOutsideThePodNetworkAreRefused() throws {
        let responder = DNSResponder(zone: Self.zone(), allowed: [IPv4Block("10.42.0.0/16")!])
        let q = DNSTest.query("web.default.svc.cluster.local", type: DNSType.a)
        guard case .reply(let denied) = responder.respond(q, source: IPv4Text.parse("192.168.1.50"), udp: true),
              case .reply(let ok) = responder.respond(q, source: IPv4Text.parse("10.42.3.3"), udp: true) else { return XCTFail() }
        XCTAssertEqual(try DNSTest.parse(denied).rcode, DNSRcode.refused)
        XCTAssertEqual(try DNSTest.parse(ok).answers.count, 1)
    }

    func testResolvConfSkipsLoopbackAndFallsBackToSystemdResolvedsList() {
        XCTAssertEqual(UpstreamResolvers.nameservers("# c\nnameserver 127.0.0.53\nnameserver 10.250.0.1\nsearch lan\nnameserver ::1\nnameserver 10.250.0.1\n"),
                       ["10.250.0.1"])
        let files = ["/etc/resolv.conf": "nameserver 127.0.0.53\n", UpstreamResolvers.systemdResolvedUpstreams: "nameserver 192.0.2.53\n"]
        XCTAssertEqual(UpstreamResolvers.upstreams(path: "/etc/resolv.conf", read: { files[$0] }), ["192.0.2.53"])
    }

    func testCachedAnswersComeBackWithTheCallersIdAndCountedDownTTLs() throws {
        let cache = DNSCache()
        var w = DNSWriter()
        w.u16(0x9999); w.u16(0x8180); w.u16(1); w.u16(1); w.u16(0); w.u16(0)
        w.name(DNSName("example.org")!); w.u16(1); w.u16(1)
        w.name(DNSName("example.org")!); w.u16(1); w.u16(1); w.u32(20); w.u16(4); w.u32(0x5DB8D822)
        let key = DNSCache.Key(name: DNSName("example.org")!, type: 1, qclass: 1)
        let t0 = ContinuousClock.now
        cache.put(key, response: w.bytes, now: t0)
        let hit = try XCTUnwrap(cache.get(key, id: 0x0102, now: t0 + .seconds(8)))
        let p = try DNSTest.parse(hit)
        XCTAssertEqual(p.id, 0x0102)
        XCTAssertEqual(p.answers.first?.ttl, 12)
        XCTAssertNil(cache.get(key, id: 1, now: t0 + .seconds(21)), "expired with its TTL")
        var servfail = w.bytes
        servfail[3] = 0x82
        let other = DNSCache.Key(name: DNSName("x.org")!, type: 1, qclass: 1)
        cache.put(other, response: servfail, now: t0)
        XCTAssertNil(cache.get(other, id: 1, now: t0), "failures are not cached")
    }
}

extension DNSZoneTests {
    func testRepeatedQuestionsAreAnsweredFromTheAnswerCacheUntilTheZoneChanges() throws {
        let responder = DNSResponder(zone: Self.zone())
        guard case .reply(let first) = responder.respond(DNSTest.query("Web.default.svc.cluster.local", type: DNSType.a, id: 1), source: nil, udp: true),
              case .reply(let second) = responder.respond(DNSTest.query("Web.default.svc.cluster.local", type: DNSType.a, id: 2), source: nil, udp: true)
        else { return XCTFail() }
        XCTAssertEqual(Array(first.dropFirst(2)), Array(second.dropFirst(2)))
        XCTAssertEqual(try DNSTest.parse(second).id, 2)
        let restricted = DNSResponder(zone: Self.zone(), allowed: [IPv4Block("10.42.0.0/16")!])
        _ = restricted.respond(DNSTest.query("web.default.svc.cluster.local", type: DNSType.a), source: IPv4Text.parse("10.42.0.9"), udp: true)
        guard case .reply(let denied) = restricted.respond(DNSTest.query("web.default.svc.cluster.local", type: DNSType.a),
                                                           source: IPv4Text.parse("192.168.1.9"), udp: true) else { return XCTFail() }
        XCTAssertEqual(try DNSTest.parse(denied).rcode, DNSRcode.refused, "a cached answer is still only for allowed sources")
        responder.replaceZone(ClusterDNSZone.build(services: [], slices: [], domain: DNSName("cluster.local")!, serial: 2))
        guard case .reply(let after) = responder.respond(DNSTest.query("Web.default.svc.cluster.local", type: DNSType.a, id: 3), source: nil, udp: true)
        else { return XCTFail() }
        XCTAssertEqual(try DNSTest.parse(after).rcode, DNSRcode.nxDomain, "a new zone empties the cache")
    }
}
