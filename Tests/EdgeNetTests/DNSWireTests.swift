import XCTest
@testable import EdgeNet

final class DNSWireTests: XCTestCase {
    func testNamesAreReadThroughBackwardPointersCaseInsensitively() throws {
        // "Web.Default" at 0, then "x" + pointer to offset 0.
        let bytes: [UInt8] = [3, 87, 101, 98, 7, 68, 101, 102, 97, 117, 108, 116, 0, 1, 120, 0xC0, 0]
        var r = DNSReader(bytes)
        XCTAssertEqual(try r.name().description, "web.default.")
        XCTAssertEqual(r.offset, 13)
        XCTAssertEqual(try r.name().description, "x.web.default.")
        XCTAssertEqual(r.offset, 17, "after a pointer the reader continues behind it")
    }

    func testCompressionLoopsAndForwardPointersAreRefused() {
        var selfLoop = DNSReader([0xC0, 0])
        XCTAssertThrowsError(try selfLoop.name()) { XCTAssertEqual($0 as? DNSWireError, .badPointer) }
        var pingPong = DNSReader([1, 97, 0xC0, 4, 0xC0, 0])
        pingPong.offset = 4
        XCTAssertThrowsError(try pingPong.name()) { XCTAssertEqual($0 as? DNSWireError, .badPointer) }
        var forward = DNSReader([0xC0, 2, 1, 97, 0])
        XCTAssertThrowsError(try forward.name()) { XCTAssertEqual($0 as? DNSWireError, .badPointer) }
    }

    func testLengthsAreCheckedAgainstTheMessage() {
        var cut = DNSReader([5, 97, 98])
        XCTAssertThrowsError(try cut.name()) { XCTAssertEqual($0 as? DNSWireError, .truncated) }
        var reserved = DNSReader([0x40, 0])
        XCTAssertThrowsError(try reserved.name()) { XCTAssertEqual($0 as? DNSWireError, .reservedLabelType) }
        var long: [UInt8] = []
        for _ in 0..<5 { long += [63] + [UInt8](repeating: 97, count: 63) }
        long.append(0)
        var tooLong = DNSReader(long)
        XCTAssertThrowsError(try tooLong.name()) { XCTAssertEqual($0 as? DNSWireError, .nameTooLong) }
        XCTAssertNil(DNSName(String(repeating: "a", count: 64) + ".x"))
        XCTAssertNil(DNSName("a..b"))
    }

    func testAQueryIsParsedWithItsSpellingAndEDNSSize() {
        guard case .query(let q) = DNSQuery.parse(DNSTest.query("Web.default.svc.cluster.local", type: DNSType.a, edns: 1232)) else {
            return XCTFail("not parsed")
        }
        XCTAssertEqual(q.id, 0x1234)
        XCTAssertEqual(q.question.name, DNSName("web.default.svc.cluster.local"))
        XCTAssertEqual(String(decoding: q.question.raw[0], as: UTF8.self), "Web")
        XCTAssertEqual(q.ednsSize, 1232)
        XCTAssertTrue(q.recursionDesired)
    }

    func testMalformedQueriesGetFormErrOrAreDropped() {
        var two = DNSTest.query("a.b", type: 1)
        two[5] = 2 // QDCOUNT 2
        guard case .refuse(_, _, let rcode) = DNSQuery.parse(two) else { return XCTFail() }
        XCTAssertEqual(rcode, DNSRcode.formErr)
        var response = DNSTest.query("a.b", type: 1)
        response[2] |= 0x80
        guard case .drop = DNSQuery.parse(response) else { return XCTFail("responses are not answered") }
        guard case .drop = DNSQuery.parse([1, 2, 3]) else { return XCTFail("too short for a header") }
        var update = DNSTest.query("a.b", type: 1)
        update[2] = 0x28 // opcode 5 (UPDATE)
        guard case .refuse(_, _, DNSRcode.notImp) = DNSQuery.parse(update) else { return XCTFail("not implemented") }
    }

    func testRandomAndMutatedPacketsNeverCrashTheParserOrResponder() {
        var rng = SystemRandomNumberGenerator()
        let responder = DNSResponder(zone: DNSZoneTests.zone())
        let seeds = [DNSTest.query("web.default.svc.cluster.local", type: DNSType.srv, edns: 4096),
                     DNSTest.query("_http._tcp.web.default.svc.cluster.local", type: DNSType.srv),
                     DNSTest.query("5.0.42.10.in-addr.arpa", type: DNSType.ptr)]
        for i in 0..<20000 {
            var b: [UInt8]
            if i % 4 == 0 {
                b = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                b = seeds[i % seeds.count]
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng))) }
            }
            _ = DNSQuery.parse(b)
            _ = responder.respond(b, source: nil, udp: true)
            _ = DNSCache.inspect(b)
        }
    }

    func testWriterCompressesRepeatedSuffixes() {
        var w = DNSWriter()
        w.name(DNSName("a.svc.cluster.local")!)
        let first = w.count
        w.name(DNSName("b.svc.cluster.local")!)
        XCTAssertEqual(w.count - first, 4, "one label, then a pointer")
        var r = DNSReader(w.bytes)
        r.offset = first
        XCTAssertEqual(try r.name().description, "b.svc.cluster.local.")
    }
}
