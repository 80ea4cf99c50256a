import EdgeAPI
import EdgeClient
import Logging

/// Keeps `default/kubernetes` Endpoints listing every live API server, as kube-apiserver's lease endpoint
/// reconciler does: each server renews a Lease of its own in kube-system (labelled as an apiserver
/// identity, its address in an annotation) and writes the addresses of the servers whose leases are
/// fresh. Pods reach the API through it, and agents learn from it where to fail over.
/// It runs on every server, not under leader election; servers converge on the same list.
/// A server `alone` on its store (SQLite, which one process opens at a time) lists itself and renews no
/// Lease: nobody else could read it, and a renewal every few seconds is a durable commit an SD card pays for.
public struct APIServerEndpointsReconciler: Sendable {
    public let client: APIClient
    /// The address and port this server is reached at.
    public let ip: String
    public let port: Int
    public let interval: Duration
    /// A lease not renewed for this long drops its server from the list.
    public let leaseSeconds: Int64
    /// No other API server can share the store: list this one, keep no lease.
    public let alone: Bool
    let logger: Logger

    static let leases = BuiltinResources.leases
    static let endpoints = BuiltinResources.endpoints
    public static let identityLabel = "apiserver.kubernetes.io/identity"
    public static let addressAnnotation = "edgectl.io/apiserver-address"

    public init(client: APIClient, ip: String, port: Int, interval: Duration = .seconds(5), leaseSeconds: Int64 = 15, alone: Bool = false,
                logger: Logger = Logger(label: "edgectl.apiserver-endpoints")) {
        self.client = client
        self.logger = logger
        self.alone = alone
        self.ip = ip
        self.port = port
        self.interval = interval
        self.leaseSeconds = leaseSeconds
    }

    /// This server's lease: one name per address, so a restarted server takes its own lease back.
    public var leaseName: String {
        "edgectl-apiserver-" + "\(ip)-\(port)".map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined().lowercased()
    }

    public func run() async {
        if alone { return await runAlone() }
        let streaks = FailureStreaks()
        while !Task.isCancelled {
            do {
                try await renew()
                try await reconcile()
                recovered(streaks)
            } catch {
                // The datastore may be down: the next round tries again.
                failed(streaks, error)
            }
            try? await Task.sleep(for: interval)
        }
        // Leaving: drop out of the list now rather than when the lease expires.
        do {
            _ = try await client.delete(Self.leases, namespace: "kube-system", name: leaseName)
            try await reconcile(excludingSelf: true)
        } catch {
            logger.warning("cannot take this server out of default/kubernetes on the way out (its lease \(leaseName) expires in \(leaseSeconds) s): \(error)")
        }
    }

    /// Logs a failed round once per streak of the same error (a round runs every few seconds).
    func failed(_ streaks: FailureStreaks, _ error: any Error) {
        if !Task.isCancelled && streaks.failed("endpoints", error) {
            logger.warning("cannot keep default/kubernetes up to date (retrying every \(interval)): \(error)")
        }
    }

    func recovered(_ streaks: FailureStreaks) {
        if let failures = streaks.succeeded("endpoints") {
            logger.info("default/kubernetes is up to date again after \(failures) failed round\(failures == 1 ? "" : "s")")
        }
    }

    /// The only server: its address in the Endpoints (rewritten only if someone changed them), and the leases
    /// earlier runs left (when the store was shared, or by an older edgectl) removed so they list no one.
    func runAlone() async {
        var leftovers = true
        let streaks = FailureStreaks()
        while !Task.isCancelled {
            do {
                if leftovers {
                    let list = try await client.list(Self.leases, namespace: "kube-system", labelSelector: "\(Self.identityLabel)=kube-apiserver")
                    for l in list.items {
                        guard let name = l[path: ["metadata", "name"]]?.string else { continue }
                        do {
                            _ = try await client.delete(Self.leases, namespace: "kube-system", name: name)
                        } catch let e as APIError where e.code == 404 {
                            // Gone already: what this loop wanted.
                        }
                    }
                    leftovers = false
                }
                try await write(Self.subsets([selfLease(now: Timestamp.now())], now: Timestamp.now()))
                recovered(streaks)
            } catch {
                // The next round tries again.
                failed(streaks, error)
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// This server's lease as it would be stored, for listing it without storing it.
    func selfLease(now: Timestamp) -> JSON {
        ["metadata": ["name": .string(leaseName), "annotations": [Self.addressAnnotation: .string("\(ip):\(port)")]],
         "spec": ["holderIdentity": .string(leaseName), "leaseDurationSeconds": .int(leaseSeconds), "renewTime": .string(now.rfc3339Micro)]]
    }

    func renew() async throws {
        let now = Timestamp.now().rfc3339Micro
        let spec: JSON = ["holderIdentity": .string(leaseName), "leaseDurationSeconds": .int(leaseSeconds), "renewTime": .string(now)]
        if var lease = try await client.getIfExists(Self.leases, namespace: "kube-system", name: leaseName) {
            lease["spec"] = spec
            lease[path: ["metadata", "annotations", Self.addressAnnotation]] = .string("\(ip):\(port)")
            _ = try await client.update(Self.leases, lease)
        } else {
            _ = try await client.create(Self.leases, namespace: "kube-system", [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(leaseName), "namespace": "kube-system",
                             "labels": [Self.identityLabel: "kube-apiserver"],
                             "annotations": [Self.addressAnnotation: .string("\(ip):\(port)")]],
                "spec": spec,
            ])
        }
    }

    /// The live servers' addresses, as Endpoints subsets (one per port, addresses sorted).
    static func subsets(_ leases: [JSON], now: Timestamp) -> JSON {
        var byPort: [Int64: Set<String>] = [:]
        for l in leases {
            guard let address = l[path: ["metadata", "annotations", addressAnnotation]]?.string,
                  let colon = address.lastIndex(of: ":"), let port = Int64(address[address.index(after: colon)...]),
                  let renewed = l[path: ["spec", "renewTime"]]?.string.flatMap(Timestamp.init(rfc3339:)) else { continue }
            let seconds = l[path: ["spec", "leaseDurationSeconds"]]?.int ?? 15
            guard renewed.adding(seconds: seconds) >= now else { continue }
            byPort[port, default: []].insert(String(address[..<colon]))
        }
        return .array(byPort.keys.sorted().map { port in
            ["addresses": .array(byPort[port]!.sorted().map { ["ip": .string($0)] }),
             "ports": [["name": "https", "port": .int(port), "protocol": "TCP"]]]
        })
    }

    func reconcile(excludingSelf: Bool = false) async throws {
        let list = try await client.list(Self.leases, namespace: "kube-system", labelSelector: "\(Self.identityLabel)=kube-apiserver")
        var leases = list.items
        if excludingSelf { leases.removeAll { $0[path: ["metadata", "name"]]?.string == leaseName } }
        let desired = Self.subsets(leases, now: Timestamp.now())
        // Never leave the list empty while this server is up: its own address at least.
        if desired.array?.isEmpty ?? true, !excludingSelf { return }
        try await write(desired)
    }

    /// Sets `default/kubernetes` Endpoints' subsets, writing only when they differ.
    func write(_ desired: JSON) async throws {
        guard var ep = try await client.getIfExists(Self.endpoints, namespace: "default", name: "kubernetes") else { return }
        if ep["subsets"] == desired { return }
        ep["subsets"] = desired
        _ = try await client.update(Self.endpoints, ep)
    }
}
