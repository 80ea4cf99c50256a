import EdgeAPI
import EdgeRuntime
import EdgeTLS
import EdgeTestSupport
import Logging
import XCTest
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// The node's CA behind the agent API's serving certificate is kept in the
/// agent's data dir: the same CA after a restart, a new one (with a warning)
/// for anything unusable there, and the files written only when the CA changes.
/// Lifetimes are real seconds; only give-up deadlines are scaled.
final class NodeAuthorityPersistenceTests: XCTestCase {
    var dir = ""
    var pki: TestPKI!

    var certificatePath: String { dir + "/" + NodeAuthorityStore.certificateName }
    var keyPath: String { dir + "/" + NodeAuthorityStore.keyName }

    override func setUpWithError() throws {
        var template = Array("/tmp/edgectl-nodeca-XXXXXX".utf8CString)
        guard let d = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        dir = String(cString: d) + "/tls"
        pki = try TestPKI()
    }

    override func tearDown() {
        if let slash = dir.lastIndex(of: "/"), !dir.isEmpty { PosixFile.removeTree(String(dir[..<slash])) }
    }

    func start(_ log: RecordingLogHandler.Lines, directory: String? = nil,
               validity: CertificateValidity = AgentServingCertificate.defaultValidity,
               authorityValidity: CertificateValidity = .days(AgentServingCertificate.authorityDays)) throws -> AgentServingCertificate {
        try AgentServingCertificate(clientCAPEM: pki.caCert, nodeName: "node-a", addresses: ["127.0.0.1"], validity: validity,
                                    logger: RecordingLogHandler.logger(log), authorityDirectory: directory ?? dir,
                                    authorityValidity: authorityValidity, firstRetry: .milliseconds(200), longestRetry: .seconds(1),
                                    beforeRenewal: {})
    }

    func text(_ path: String) -> String? { PosixFile.read(path).map { String(decoding: $0, as: UTF8.self) } }

    func status(_ path: String) throws -> stat {
        var st = stat()
        guard stat(path, &st) == 0 else { throw XCTSkip("cannot stat \(path)") }
        return st
    }

    /// What the disk holds is the CA in use, and a CA with its key.
    func assertStored(_ serving: AgentServingCertificate, file: StaticString = #filePath, line: UInt = #line) throws {
        let stored = try XCTUnwrap(text(certificatePath), "no CA certificate stored", file: file, line: line)
        XCTAssertEqual(stored, serving.currentCertificate.caCertificatePEM, "the CA in use is the one on disk", file: file, line: line)
        XCTAssertNoThrow(try PKI.checkCA(certificatePEM: stored, keyPEM: try XCTUnwrap(text(keyPath))), file: file, line: line)
    }

    func testTheCASurvivesARestartAndItsKeyIsPrivate() throws {
        let log = RecordingLogHandler.Lines()
        let first = try start(log)
        XCTAssertEqual(log.count(.info, containing: "made a new node CA"), 1, "\(log.all)")
        try assertStored(first)
        XCTAssertEqual(try status(keyPath).st_mode & 0o777, 0o600, "the CA key is readable by its owner only")
        XCTAssertEqual(try status(dir).st_mode & 0o777, 0o700)

        let again = try start(log)
        XCTAssertEqual(again.currentCertificate.caCertificatePEM, first.currentCertificate.caCertificatePEM,
                       "a restarted agent signs with the same CA, so a client that pins it still trusts the node")
        XCTAssertNotEqual(again.currentCertificate.certificatePEM, first.currentCertificate.certificatePEM, "the serving certificate is new")
        XCTAssertEqual(log.count(.info, containing: "using the node's CA from \(certificatePath)"), 1, "\(log.all)")
        XCTAssertEqual(log.count(.warning, containing: ""), 0, "\(log.all)")
        XCTAssertEqual(log.count(.info, containing: "made a new node CA"), 1, "no second CA: \(log.all)")
    }

    func testAnUnusableStoredCAIsReplacedWithAWarningAndTheAgentStillStarts() throws {
        let other = try PKI.generateKey()
        let good = try start(RecordingLogHandler.Lines()).currentCertificate
        let goodKey = try XCTUnwrap(text(keyPath))
        let leaf = try PKI.signCertificate(caCertPEM: good.caCertificatePEM, caKeyPEM: goodKey, subjectKeyPEM: other,
                                           subject: CertificateSubject(commonName: "leaf"), usage: .serverAuth)
        let cases: [(String, certificate: String?, key: String?, says: String)] = [
            ("garbage in both", "not a certificate\n", "\u{0}\u{1}not a key", "parse"),
            ("a certificate cut short", String(good.caCertificatePEM.prefix(200)), goodKey, "parse"),
            ("an empty key (a power cut before it reached the disk)", good.caCertificatePEM, "", "parse"),
            ("a key that does not match", good.caCertificatePEM, other, "does not match"),
            ("a certificate that is not a CA", leaf, other, "not a CA"),
            ("the key missing", good.caCertificatePEM, nil, "\(keyPath) is missing"),
            ("the certificate missing", nil, goodKey, "\(certificatePath) is missing"),
        ]
        for (what, certificate, key, says) in cases {
            unlink(certificatePath)
            unlink(keyPath)
            if let certificate { try PosixFile.write(certificatePath, Array(certificate.utf8), mode: 0o644) }
            if let key { try PosixFile.write(keyPath, Array(key.utf8), mode: 0o600) }
            let log = RecordingLogHandler.Lines()
            let serving = try start(log)
            XCTAssertNotEqual(serving.currentCertificate.caCertificatePEM, good.caCertificatePEM, what)
            XCTAssertEqual(log.count(.warning, containing: "cannot use the node's CA in \(certificatePath)"), 1, "\(what): \(log.all)")
            XCTAssertEqual(log.count(.warning, containing: says), 1, "\(what): \(log.all)")
            try assertStored(serving)
        }
    }

    func testACAThatCannotBeStoredStillServes() throws {
        // A regular file where the directory should be: nothing can be written under it.
        let blocked = dir + "-file"
        try PosixFile.write(blocked, Array("x".utf8))
        let log = RecordingLogHandler.Lines()
        let serving = try start(log, directory: blocked + "/tls")
        XCTAssertFalse(serving.currentCertificate.caCertificatePEM.isEmpty)
        XCTAssertEqual(log.count(.warning, containing: "cannot store the node's new CA in \(blocked)/tls"), 1, "\(log.all)")
    }

    func testACAExpiringBeforeTheNextCertificateIsReplacedAtRenewalAndStored() async throws {
        let log = RecordingLogHandler.Lines()
        let servingValidity = CertificateValidity(backdateSeconds: 0, expiresAfterSeconds: 2)
        let authorityValidity = CertificateValidity(backdateSeconds: 0, expiresAfterSeconds: 5)
        let serving = try start(log, validity: servingValidity, authorityValidity: authorityValidity)
        let first = serving.currentCertificate
        let firstCA = try PKI.inspectCertificate(first.caCertificatePEM)
        XCTAssertEqual(firstCA.notAfter - firstCA.notBefore, 5, "the CA has the short validity asked for")
        try assertStored(serving)

        // A renewal while the CA outlasts the next certificate keeps it.
        try serving.renewOnce()
        if Timestamp.now().seconds + servingValidity.expiresAfterSeconds < firstCA.notAfter {
            XCTAssertEqual(serving.currentCertificate.caCertificatePEM, first.caCertificatePEM, "the CA outlasts the next certificate")
        }

        // From here a certificate made now would outlive the CA.
        let replaceFrom = firstCA.notAfter - servingValidity.expiresAfterSeconds
        let reached = try await TestDeadline.poll(within: .seconds(10), every: .milliseconds(50)) { Timestamp.now().seconds >= replaceFrom }
        XCTAssertTrue(reached, "the clock reached \(replaceFrom)")
        let renewed = try serving.renewOnce()
        XCTAssertNotEqual(renewed.caCertificatePEM, first.caCertificatePEM, "a new node CA rather than one that expires first")
        let newCA = try PKI.inspectCertificate(renewed.caCertificatePEM)
        XCTAssertEqual(newCA.notAfter - newCA.notBefore, 5, "the new CA has the same lifetime")
        XCTAssertGreaterThan(newCA.notAfter, renewed.notAfter, "the new CA outlasts the certificate it signed")
        XCTAssertEqual(log.count(.info, containing: "made a new node CA"), 2, "\(log.all)")
        try assertStored(serving)
        XCTAssertEqual(try status(keyPath).st_mode & 0o777, 0o600)
    }

    func testAStoredCAExpiringBeforeTheFirstCertificateIsReplacedAtStart() throws {
        let shortCA = CertificateValidity(backdateSeconds: 0, expiresAfterSeconds: 3600)
        let halfHour = CertificateValidity(backdateSeconds: 0, expiresAfterSeconds: 1800)
        let first = try start(RecordingLogHandler.Lines(), validity: halfHour, authorityValidity: shortCA).currentCertificate
        // Restarted with a longer serving lifetime (the stored CA would run out first).
        let log = RecordingLogHandler.Lines()
        let longer = try start(log, validity: .days(2), authorityValidity: shortCA)
        XCTAssertNotEqual(longer.currentCertificate.caCertificatePEM, first.caCertificatePEM)
        XCTAssertEqual(log.count(.info, containing: "before a new serving certificate would"), 1, "\(log.all)")
        XCTAssertEqual(log.count(.warning, containing: ""), 0, "an expiring CA is routine, not a warning: \(log.all)")
        try assertStored(longer)
    }

    func testARenewalThatKeepsTheCADoesNotRewriteItsFiles() throws {
        let serving = try start(RecordingLogHandler.Lines())
        let first = serving.currentCertificate
        let before = try (status(certificatePath), status(keyPath))
        let stored = (text(certificatePath), text(keyPath))

        let renewed = try serving.renewOnce()
        XCTAssertNotEqual(renewed.certificatePEM, first.certificatePEM, "a new serving certificate")
        XCTAssertEqual(renewed.caCertificatePEM, first.caCertificatePEM, "signed by the same CA")
        let after = try (status(certificatePath), status(keyPath))
        for (b, a, name) in [(before.0, after.0, "certificate"), (before.1, after.1, "key")] {
            XCTAssertEqual(a.st_ino, b.st_ino, "the CA \(name) file was not replaced")
            XCTAssertEqual(a.st_mtim.tv_sec, b.st_mtim.tv_sec, "the CA \(name) file was not written")
            XCTAssertEqual(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec, "the CA \(name) file was not written")
        }
        XCTAssertEqual(text(certificatePath), stored.0)
        XCTAssertEqual(text(keyPath), stored.1)
        XCTAssertEqual(PosixFile.list(dir), [NodeAuthorityStore.certificateName, NodeAuthorityStore.keyName], "no temporary files left")
    }
}
