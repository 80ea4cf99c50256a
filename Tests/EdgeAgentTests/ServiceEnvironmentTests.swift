import XCTest
import EdgeAPI
@testable import EdgeAgent

final class ServiceEnvironmentTests: XCTestCase {
    let master: JSON = ["metadata": ["name": "kubernetes"], "spec": ["clusterIP": "10.43.0.1", "ports": [["name": "https", "port": 443, "protocol": "TCP"]]]]
    let redis: JSON = ["metadata": ["name": "redis-main"], "spec": ["clusterIP": "10.43.0.7",
                                                                    "ports": [["name": "db", "port": 6379, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]]]]
    let headless: JSON = ["metadata": ["name": "h"], "spec": ["clusterIP": "None", "ports": [["port": 80]]]]

    func testLinksAsUpstreamsKubeletWritesThem() {
        let env = Dictionary(ServiceEnvironment.variables(pod: [:], namespaceServices: [redis, headless], masterService: master),
                             uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(env["KUBERNETES_SERVICE_HOST"], "10.43.0.1")
        XCTAssertEqual(env["KUBERNETES_SERVICE_PORT"], "443")
        XCTAssertEqual(env["KUBERNETES_SERVICE_PORT_HTTPS"], "443")
        XCTAssertEqual(env["KUBERNETES_PORT"], "tcp://10.43.0.1:443")
        XCTAssertEqual(env["KUBERNETES_PORT_443_TCP_ADDR"], "10.43.0.1")
        XCTAssertEqual(env["REDIS_MAIN_SERVICE_PORT_DB"], "6379")
        XCTAssertEqual(env["REDIS_MAIN_PORT_53_UDP"], "udp://10.43.0.7:53")
        XCTAssertEqual(env["REDIS_MAIN_PORT_53_UDP_PROTO"], "udp")
        XCTAssertNil(env["H_SERVICE_HOST"], "a headless service gives no variables")
        let off = ServiceEnvironment.variables(pod: ["spec": ["enableServiceLinks": false]], namespaceServices: [redis], masterService: master)
        XCTAssertTrue(off.contains { $0.0 == "KUBERNETES_SERVICE_HOST" })
        XCTAssertFalse(off.contains { $0.0.hasPrefix("REDIS") }, "enableServiceLinks: false leaves only the master service's")
    }

    func testTokensAreRenewedAtEightyPercentOfTheShortestLife() {
        let pod: JSON = ["spec": ["volumes": [["name": "a", "projected": ["sources": [["serviceAccountToken": ["expirationSeconds": 3607]]]]],
                                              ["name": "b", "projected": ["sources": [["serviceAccountToken": ["expirationSeconds": 600]]]]]]]]
        XCTAssertEqual(VolumeBuilder.tokenRefreshSeconds(pod), 480)
        XCTAssertNil(VolumeBuilder.tokenRefreshSeconds(["spec": [:]]))
    }
}
