#if canImport(Glibc)
import Glibc
#endif
import EdgeStore
import XCTest

/// A PostgreSQL 15 instance of its own (Debian's postgresql, as scripts/install-deps installs it) on a
/// loopback port, password authentication by SCRAM-SHA-256 over TCP. Run as the postgres user when the
/// tests run as root (PostgreSQL refuses root). Fails, not skips, when PostgreSQL is missing.
final class PostgresTestCluster {
    let dir: String
    let port: Int
    let password: String
    static let user = "edgectl"
    var user: String { Self.user }
    private(set) var daemon: TestDaemon!
    private let arguments: [String]

    static func binDir() throws -> String {
        for v in ["17", "16", "15"] where access("/usr/lib/postgresql/\(v)/bin/postgres", X_OK) == 0 {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        throw TestDaemonError("PostgreSQL is not installed: run scripts/install-deps (Debian's postgresql)")
    }

    /// Runs a command as the postgres user when we are root.
    static var asPostgres: [String] { geteuid() == 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : [] }

    init() throws {
        let bin = try Self.binDir()
        dir = TestEnvironment.tempDir("pg")
        password = "pw-" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let pwfile = dir + "/pw"
        guard let f = fopen(pwfile, "w") else { throw TestDaemonError("cannot write \(pwfile)") }
        fputs(password + "\n", f)
        fclose(f)
        if geteuid() == 0 { _ = TestEnvironment.run("chown -R postgres:postgres '\(dir)'") }
        let initdb = (Self.asPostgres + ["\(bin)/initdb", "-D", dir + "/data", "-U", Self.user, "--pwfile=\(pwfile)", "--auth-local=trust",
                                         "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"]).joined(separator: " ")
        guard TestEnvironment.run(initdb + " > '\(dir)/initdb.log' 2>&1") == 0 else {
            throw TestDaemonError("initdb failed: see \(dir)/initdb.log")
        }
        // A free port can be taken by another test process before postgres binds it: start again
        // on a new port when that is why postgres exited.
        var attempt = 1
        while true {
            let p = TestEnvironment.freePort()
            let args = Self.asPostgres + ["\(bin)/postgres", "-D", dir + "/data", "-p", String(p), "-k", dir,
                                          "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                                          "-c", "max_connections=200"]
            let d = try TestDaemon(name: "postgres", arguments: args, logPath: dir + "/postgres.log")
            do {
                try Self.waitReady(d, port: p, password: password)
                (port, arguments, daemon) = (p, args, d)
                return
            } catch where attempt < 4 && !d.isRunning && d.log.lowercased().contains("address already in use") {
                attempt += 1
            }
        }
    }

    func waitReady() throws { try Self.waitReady(daemon, port: port, password: password) }

    private static func waitReady(_ daemon: TestDaemon, port: Int, password: String) throws {
        for _ in 0..<300 {
            if TestEnvironment.listening(port), psql(port: port, password: password, "postgres", "SELECT 1") == 0 { return }
            guard daemon.isRunning else { throw TestDaemonError("postgres exited:\n\(daemon.log)") }
            usleep(50_000)
        }
        throw TestDaemonError("postgres did not become ready:\n\(daemon.log)")
    }

    @discardableResult
    func psql(_ database: String, _ sql: String) -> Int32 { Self.psql(port: port, password: password, database, sql) }

    @discardableResult
    private static func psql(port: Int, password: String, _ database: String, _ sql: String) -> Int32 {
        TestEnvironment.run("PGPASSWORD='\(password)' psql -q -h 127.0.0.1 -p \(port) -U \(user) -d '\(database)' -c \"\(sql)\" > /dev/null 2>&1")
    }

    /// A new empty database; its DSN.
    func freshDatabase() throws -> PostgresDSN {
        let name = "t" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        guard psql("postgres", "CREATE DATABASE \(name)") == 0 else { throw TestDaemonError("cannot create database \(name)") }
        return dsn(name)
    }

    func dsn(_ database: String) -> PostgresDSN {
        PostgresDSN(user: user, password: password, host: "127.0.0.1", port: port, database: database, sslMode: .disable)
    }

    func kill() { daemon.kill() }

    /// Whether a process of this instance still runs: a killed postmaster's backends exit only when
    /// they notice, and until then they hold its shared memory, so a new postmaster would refuse to
    /// start ("pre-existing shared memory block is still in use"). Every backend's cwd is the data dir.
    var hasLeftoverProcesses: Bool { !TestEnvironment.processes(inDirectory: dir + "/data").isEmpty }

    func restart() throws {
        for _ in 0..<300 where hasLeftoverProcesses { usleep(50_000) }
        if hasLeftoverProcesses { throw TestDaemonError("the killed postmaster's processes are still running after 15 s: \(TestEnvironment.processes(inDirectory: dir + "/data"))") }
        try daemon.restart(arguments)
        try waitReady()
    }

    deinit {
        daemon?.kill()
        TestEnvironment.remove(dir)
    }
}
