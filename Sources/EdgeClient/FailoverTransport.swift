import EdgeAPI
import EdgeTLS
import NIOCore
import Synchronization

/// An agent's way to several API servers, as k3s's agent load balancer: requests go to the server that
/// answered last; one that cannot be reached (or answers 503, its datastore gone) is set aside for a
/// while and the next is tried, so an agent carries on by itself when a server dies. Watches reconnect
/// through it too. The list starts from the server the agent joined and grows from the kubernetes
/// Endpoints (`refresh`); `onChange` lets the caller keep it on disk for the agent's next start.
public final class FailoverTransport: ClientTransport, Sendable {
    struct Member {
        var url: String
        var transport: HTTPSTransport
        var avoidUntil: ContinuousClock.Instant?
    }

    private struct State {
        var members: [Member]
        var current = 0
        var tls: TLSConfiguration
    }

    private let state: Mutex<State>
    let group: EventLoopGroup
    /// The server the agent was given: always kept, whatever the Endpoints say.
    public let seed: String
    let onChange: @Sendable ([String]) -> Void
    /// How long a failed server is skipped before it is tried again.
    let avoidFor: Duration

    public init(servers: [String], tls: TLSConfiguration, group: EventLoopGroup, avoidFor: Duration = .seconds(15),
                onChange: @escaping @Sendable ([String]) -> Void = { _ in }) throws {
        guard let first = servers.first else { throw TLSError("no API server to connect to") }
        var members: [Member] = []
        for url in Self.unique(servers) { members.append(Member(url: url, transport: try HTTPSTransport(server: url, tls: tls, group: group))) }
        state = Mutex(State(members: members, tls: tls))
        self.group = group
        seed = first
        self.avoidFor = avoidFor
        self.onChange = onChange
    }

    static func unique(_ urls: [String]) -> [String] {
        var seen = Set<String>()
        return urls.filter { seen.insert($0).inserted }
    }

    /// The servers known now, the one in use first.
    public var servers: [String] {
        state.withLock { s in (0..<s.members.count).map { s.members[(s.current + $0) % s.members.count].url } }
    }

    /// The server requests go to now.
    public var currentServer: String { state.withLock { $0.members[$0.current].url } }

    /// New client credentials for every server (node certificate rotation).
    public func useTLS(_ tls: TLSConfiguration) {
        let all = state.withLock { s -> [HTTPSTransport] in
            s.tls = tls
            return s.members.map(\.transport)
        }
        for t in all { t.useTLS(tls) }
    }

    /// Members in the order to try: the current one, then the others, those set aside last.
    private func candidates() -> [(Int, HTTPSTransport)] {
        let now = ContinuousClock.now
        return state.withLock { s in
            let order = (0..<s.members.count).map { (s.current + $0) % s.members.count }
            let fresh = order.filter { s.members[$0].avoidUntil.map { $0 <= now } ?? true }
            let avoided = order.filter { !fresh.contains($0) }
            return (fresh + avoided).map { ($0, s.members[$0].transport) }
        }
    }

    private func succeeded(_ index: Int) {
        state.withLock { s in
            guard index < s.members.count else { return }
            s.members[index].avoidUntil = nil
            s.current = index
        }
    }

    private func failed(_ index: Int) {
        let until = ContinuousClock.now + avoidFor
        state.withLock { s in if index < s.members.count { s.members[index].avoidUntil = until } }
    }

    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        var lastError: Error?
        var last503: ClientResponse?
        for (i, t) in candidates() {
            do {
                let r = try await t.send(request)
                if r.status == 503 {
                    failed(i)
                    last503 = r
                    continue
                }
                succeeded(i)
                return r
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failed(i)
                lastError = error
            }
        }
        if let last503 { return last503 }
        throw lastError ?? TLSError("no API server answered")
    }

    public func stream(_ request: ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>) {
        var lastError: Error?
        for (i, t) in candidates() {
            do {
                let r = try await t.stream(request)
                if r.status == 503 { failed(i); lastError = TLSError("503 from the server"); continue }
                succeeded(i)
                return r
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failed(i)
                lastError = error
            }
        }
        throw lastError ?? TLSError("no API server answered")
    }

    /// Replaces the list with `urls` (plus the seed), keeping the connections to servers that stay.
    public func update(_ urls: [String]) throws {
        let wanted = Self.unique([seed] + urls)
        let changed: [String]? = try state.withLock { s in
            let now = s.members.map(\.url)
            if Set(now) == Set(wanted) { return nil }
            let keep = Dictionary(s.members.map { ($0.url, $0) }, uniquingKeysWith: { a, _ in a })
            let currentURL = s.members[s.current].url
            var next: [Member] = []
            for url in wanted { next.append(try keep[url] ?? Member(url: url, transport: HTTPSTransport(server: url, tls: s.tls, group: group))) }
            s.members = next
            s.current = next.firstIndex { $0.url == currentURL } ?? 0
            return next.map(\.url)
        }
        if let changed { onChange(changed) }
    }

    static let endpoints = BuiltinResources.endpoints

    /// The API servers' URLs from `default/kubernetes` Endpoints.
    public static func servers(fromEndpoints ep: JSON) -> [String] {
        var out: [String] = []
        for subset in ep["subsets"]?.array ?? [] {
            let port = subset["ports"]?.array?.first { $0["name"]?.string == "https" || $0["name"] == nil }?["port"]?.int
                ?? subset["ports"]?.array?.first?["port"]?.int ?? 6443
            for a in subset["addresses"]?.array ?? [] {
                guard let ip = a["ip"]?.string, !ip.isEmpty else { continue }
                out.append("https://\(ip.contains(":") ? "[\(ip)]" : ip):\(port)")
            }
        }
        return out.sorted()
    }

    /// Learns the servers from the kubernetes Endpoints through `client` (which should use this transport).
    public func refresh(_ client: APIClient) async throws {
        let ep = try await client.get(Self.endpoints, namespace: "default", name: "kubernetes")
        let found = Self.servers(fromEndpoints: ep)
        if !found.isEmpty { try update(found) }
    }

    /// Refreshes every `interval` until cancelled.
    public func keepRefreshed(_ client: APIClient, every interval: Duration = .seconds(30)) async {
        while !Task.isCancelled {
            try? await refresh(client)
            try? await Task.sleep(for: interval)
        }
    }
}

/// A transport whose client certificate can be replaced while it runs (node certificate rotation).
public protocol CredentialedTransport: ClientTransport {
    func useTLS(_ tls: TLSConfiguration)
}

extension HTTPSTransport: CredentialedTransport {}
extension FailoverTransport: CredentialedTransport {}
