import EdgeAPI
import EdgeClient
import Logging
import NIOCore
import NIOPosix

/// The node's cluster DNS: a DNS server on UDP and TCP at the node's address
/// (port 10053 by default), answering the cluster zone from Services and
/// EndpointSlices and forwarding everything else to the node's upstream
/// resolvers through a small cache. Pods reach it at the kube-dns cluster IP:
/// the kube-dns Service lists every node's listener with internalTrafficPolicy
/// Local, so the proxy sends each pod's queries to its own node.
public final class ClusterDNSServer: Sendable {
    public static let defaultPort = 10053

    public struct Config: Sendable {
        public var host: String
        public var port: Int = ClusterDNSServer.defaultPort
        public var domain = "cluster.local"
        public var upstreams: [String] = []
        /// Sources allowed to query (CIDRs); nil: anyone. Loopback always may.
        public var allowedSources: [String]?
        public init(host: String) { self.host = host }
    }

    static let services = BuiltinResources.services
    static let slices = BuiltinResources.endpointSlices

    let config: Config
    let responder: DNSResponder
    let serviceInformer: Informer?
    let sliceInformer: Informer?
    let domain: DNSName
    let log: Logger

    public init(client: APIClient?, config: Config, log: Logger = Logger(label: "edgectl.dns")) throws {
        guard let domain = DNSName(config.domain), !domain.labels.isEmpty else {
            throw DNSWireError("cluster domain \(config.domain) is not a valid DNS name")
        }
        self.config = config
        self.domain = domain
        self.log = log
        let allowed = config.allowedSources.map { $0.compactMap(IPv4Block.init) }
        responder = DNSResponder(zone: ClusterDNSZone(domain: domain, serial: UInt32(truncatingIfNeeded: Timestamp.now().seconds)),
                                 allowed: allowed)
        serviceInformer = client.map { Informer(client: $0, resource: Self.services) }
        sliceInformer = client.map { Informer(client: $0, resource: Self.slices) }
    }

    /// Binds both listeners (throws when the port is taken), then serves until cancelled.
    public func run(group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        let forwarder = DNSForwarder(upstreams: config.upstreams, group: group)
        try await forwarder.start()
        let (udp, tcp) = try await bind(group: group, forwarder: forwarder)
        log.info("cluster DNS listening on \(config.host):\(config.port) (udp, tcp), upstream \(config.upstreams.isEmpty ? "none" : config.upstreams.joined(separator: ", "))")
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { g in
                if let s = serviceInformer, let e = sliceInformer {
                    let (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    for inf in [s, e] { inf.addHandler(.any { _ in signal.yield() }) }
                    g.addTask { await s.run() }
                    g.addTask { await e.run() }
                    g.addTask {
                        for await _ in changes {
                            try? await Task.sleep(for: .milliseconds(50))
                            self.rebuild()
                        }
                    }
                }
                g.addTask { while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) } }
                await g.next()
                g.cancelAll()
            }
        } onCancel: {
            udp.close(promise: nil)
            tcp.close(promise: nil)
            forwarder.stop()
        }
    }

    func rebuild() {
        guard let s = serviceInformer, let e = sliceInformer else { return }
        let serial = UInt32(truncatingIfNeeded: Timestamp.now().seconds)
        responder.replaceZone(ClusterDNSZone.build(services: s.list(), slices: e.list(), domain: domain, serial: serial))
    }

    /// Sets the zone directly (tests and benchmarks without an API server).
    public func load(services: [JSON], slices: [JSON]) {
        responder.replaceZone(ClusterDNSZone.build(services: services, slices: slices, domain: domain, serial: 1))
    }

    func bind(group: EventLoopGroup, forwarder: DNSForwarder?) async throws -> (Channel, Channel) {
        let responder = self.responder
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096 * 16))
            // Up to 16 queries per recvmmsg (the allocator's buffer is split between them).
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: 16)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(DNSListeners.UDPHandler(responder: responder, forwarder: forwarder)) }
            }
            .bind(host: config.host, port: config.port).get()
        do {
            let tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(DNSListeners.TCPHandler(responder: responder, forwarder: forwarder)) }
                }
                .bind(host: config.host, port: config.port).get()
            return (udp, tcp)
        } catch {
            udp.close(promise: nil)
            throw error
        }
    }
}
