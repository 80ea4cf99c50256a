import Synchronization

/// A callback set after the object that calls it was made (two parts that
/// each need the other: the pod network tells the node agent of changes).
final class LateHook: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)

    func set(_ f: @escaping @Sendable () -> Void) { action.withLock { $0 = f } }
    func call() { action.withLock { $0 }?() }
}
