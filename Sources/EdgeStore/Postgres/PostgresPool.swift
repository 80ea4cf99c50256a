import NIOCore
import Synchronization

/// Connections to one PostgreSQL database: handed to one task at a time, kept for reuse while healthy,
/// at most `limit` open for requests at once (callers beyond wait their turn).
final class PostgresPool: Sendable {
    let dsn: PostgresDSN
    let tls: DatastoreTLS
    let group: EventLoopGroup
    let limit: Int
    private struct State {
        var idle: [PostgresConnection] = []
        var inUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }
    private let state = Mutex(State())

    init(dsn: PostgresDSN, tls: DatastoreTLS, group: EventLoopGroup, limit: Int = 8) {
        self.dsn = dsn
        self.tls = tls
        self.group = group
        self.limit = limit
    }

    func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(dsn, tls: tls, group: group)
    }

    private func acquireSlot() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.inUse < limit { s.inUse += 1; return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    private func releaseSlot(returning conn: PostgresConnection?) {
        let (waiter, drop) = state.withLock { s -> (CheckedContinuation<Void, Never>?, PostgresConnection?) in
            var drop: PostgresConnection?
            if let conn {
                if conn.isActive && !s.closed && s.idle.count < limit { s.idle.append(conn) } else { drop = conn }
            }
            if !s.waiters.isEmpty { return (s.waiters.removeFirst(), drop) }
            s.inUse -= 1
            return (nil, drop)
        }
        drop?.close()
        waiter?.resume()
    }

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        await acquireSlot()
        var conn = state.withLock { $0.idle.popLast() }
        if let c = conn, !c.isActive { c.close(); conn = nil }
        let c: PostgresConnection
        do {
            if let conn { c = conn } else { c = try await connect() }
        } catch {
            releaseSlot(returning: nil)
            throw error
        }
        do {
            let r = try await body(c)
            releaseSlot(returning: c)
            return r
        } catch {
            releaseSlot(returning: c)
            throw error
        }
    }

    func close() {
        let all = state.withLock { s -> [PostgresConnection] in
            s.closed = true
            defer { s.idle.removeAll() }
            return s.idle
        }
        for c in all { c.close() }
    }
}
