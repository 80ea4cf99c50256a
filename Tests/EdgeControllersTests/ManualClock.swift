import Synchronization
import EdgeAPI
import EdgeControllers

/// A controller clock tests move by hand.
final class ManualClock: ControllerClock {
    private let current: Mutex<Timestamp>
    init(_ start: Timestamp = .now()) { current = Mutex(start) }
    func now() -> Timestamp { current.withLock { $0 } }
    func set(_ t: Timestamp) { current.withLock { $0 = t } }
}
