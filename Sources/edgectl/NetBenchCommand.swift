import EdgeCommandLine
import EdgeAPI
import EdgeNet
#if canImport(Glibc)
import Glibc
#endif

/// `edgectl net-bench`: drivers for scripts/bench (hidden): the proxy's sync
/// times against the iptables of the namespace it runs in, and a DNS server
/// with a synthetic zone for a load generator.
struct NetBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net-bench", abstract: "Benchmark drivers for the service proxy and cluster DNS (scripts/bench).",
        shouldDisplay: false, subcommands: [Proxy.self, DNS.self])

    struct Proxy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time proxy syncs of N services (2 endpoints each) in this network namespace.")
        @Option(help: "Number of services.") var services = 1000
        @Option(help: "Write the full rule set as iptables-restore input here.") var restoreFile: String?
        @Option(help: "Write one partial (one changed service) transaction here.") var partialFile: String?

        func run() throws {
            let client = IPTablesClient.detect()
            let r = try ProxySyncBenchmark.run(services: services, client: client)
            if let f = restoreFile { try FileSystem.write(f, r.restoreText, mode: 0o600) }
            if let f = partialFile { try FileSystem.write(f, r.oneChangedInput, mode: 0o600) }
            print("{\"services\": \(r.services), \"rules\": \(r.rules), \"flavour\": \"\(client.flavour.rawValue)\", \"build_all_s\": \(r.buildAllSeconds), "
                  + "\"full_s\": \(r.fullSeconds), \"one_changed_s\": \(r.oneChangedSeconds), \"one_changed_best_s\": \(r.oneChangedBestSeconds), "
                  + "\"one_changed_bytes\": \(r.oneChangedBytes), \"one_changed_build_s\": \(r.oneChangedBuildSeconds), "
                  + "\"verify_s\": \(r.verifySeconds)}")
        }
    }

    struct DNS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a synthetic cluster zone (svc-I.bench.svc.cluster.local -> 10.43.x.y).")
        @Option(help: "Number of services.") var services = 1000
        @Option(help: "Listen address.") var listen = "127.0.0.1"
        @Option(help: "Port.") var port = 10053

        func run() async throws {
            var cfg = ClusterDNSServer.Config(host: listen)
            cfg.port = port
            let server = try ClusterDNSServer(client: nil, config: cfg)
            var svcs: [JSON] = []
            for i in 0..<services {
                let ip = "10.43.\((i + 2) >> 8 & 255).\((i + 2) & 255)"
                svcs.append(["metadata": ["name": .string("svc-\(i)"), "namespace": "bench"],
                             "spec": ["clusterIP": .string(ip), "ports": [["name": "http", "port": 80, "protocol": "TCP"]]]])
            }
            server.load(services: svcs, slices: [])
            print("ready")
            fflush(nil)
            try await server.run()
        }
    }
}
