import EdgeAPI
import EdgeClient

/// A level-triggered control loop in client-go's shape: event handlers only
/// enqueue keys; `reconcile` reads the caches and drives the cluster toward
/// the desired state for one key; errors requeue the key with backoff.
public protocol Controller: Sendable {
    var name: String { get }
    /// Concurrent reconciles (different keys only; a key is never worked on twice at once).
    var workers: Int { get }
    /// Creates the informers it reads and registers handlers that enqueue keys.
    func register(_ ctx: ControllerContext, _ queue: WorkQueue)
    func reconcile(_ key: String, _ ctx: ControllerContext) async throws
}

extension Controller {
    public var workers: Int { 2 }
}

/// What controllers share: the API client, the informer caches, an event recorder.
public struct ControllerContext: Sendable {
    public let client: APIClient
    public let informers: SharedInformerFactory
    public let events: EventRecorder
    public let clock: any ControllerClock

    public init(client: APIClient, informers: SharedInformerFactory, component: String = "controller-manager",
                clock: any ControllerClock = SystemControllerClock()) {
        self.client = client
        self.informers = informers
        self.events = EventRecorder(client: client, component: component)
        self.clock = clock
    }
}

/// Time as controllers see it: injectable so tests need not wait.
public protocol ControllerClock: Sendable {
    func now() -> Timestamp
}

public struct SystemControllerClock: ControllerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp.now() }
}
