#if canImport(Glibc)
import Glibc
#endif
import EdgeStore
import XCTest

/// A single-member etcd (Debian's etcd-server, as scripts/install-deps installs it) on loopback ports
/// of its own, in a directory of its own. The suite fails, not skips, when etcd is missing: CI has it.
final class EtcdTestCluster {
    let dir: String
    let clientPort: Int
    let peerPort: Int
    let daemon: TestDaemon

    static func binary() throws -> String {
        guard let b = TestEnvironment.executable(["/usr/bin/etcd", "/usr/local/bin/etcd"]) else {
            throw TestDaemonError("etcd is not installed: run scripts/install-deps (Debian's etcd-server)")
        }
        return b
    }

    init() throws {
        dir = TestEnvironment.tempDir("etcd")
        // A free port can be taken by another test process before etcd binds it: start again on
        // new ports when that is why etcd exited.
        var attempt = 1
        while true {
            let client = TestEnvironment.freePort(), peer = TestEnvironment.freePort()
            let d = try TestDaemon(name: "etcd", arguments: Self.arguments(try Self.binary(), dir: dir, client: client, peer: peer),
                                   logPath: dir + "/etcd.log")
            do {
                try Self.waitReady(d, clientPort: client)
                (clientPort, peerPort, daemon) = (client, peer, d)
                return
            } catch where attempt < 4 && !d.isRunning && d.log.contains("address already in use") {
                attempt += 1
                TestEnvironment.remove(dir + "/data")
            }
        }
    }

    static func arguments(_ bin: String, dir: String, client: Int, peer: Int) -> [String] {
        [bin, "--name", "test", "--data-dir", dir + "/data",
         "--listen-client-urls", "http://127.0.0.1:\(client)", "--advertise-client-urls", "http://127.0.0.1:\(client)",
         "--listen-peer-urls", "http://127.0.0.1:\(peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peer)",
         "--initial-cluster", "test=http://127.0.0.1:\(peer)", "--unsafe-no-fsync", "--log-level", "warn"]
    }

    func waitReady() throws { try Self.waitReady(daemon, clientPort: clientPort) }

    private static func waitReady(_ daemon: TestDaemon, clientPort: Int) throws {
        for _ in 0..<200 {
            if TestEnvironment.listening(clientPort) {
                // The gateway answers once the member has a leader.
                if TestEnvironment.run("curl -sf -m 2 -o /dev/null -X POST -d '{}' http://127.0.0.1:\(clientPort)/v3/maintenance/status") == 0 { return }
            }
            guard daemon.isRunning else { throw TestDaemonError("etcd exited:\n\(daemon.log)") }
            usleep(50_000)
        }
        throw TestDaemonError("etcd did not become ready:\n\(daemon.log)")
    }

    var endpoints: EtcdEndpoints { EtcdEndpoints(secure: false, members: [.init(host: "127.0.0.1", port: clientPort)]) }

    func backend() throws -> EtcdBackend { try EtcdBackend(endpoints: endpoints, requestTimeout: .seconds(5)) }

    /// Stops etcd hard (kill -9), as a crash.
    func kill() { daemon.kill() }

    func restart() throws {
        try daemon.restart(Self.arguments(try Self.binary(), dir: dir, client: clientPort, peer: peerPort))
        try waitReady()
    }

    deinit {
        daemon.kill()
        TestEnvironment.remove(dir)
    }
}
