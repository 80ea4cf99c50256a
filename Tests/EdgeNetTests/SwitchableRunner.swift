import Synchronization
@testable import EdgeNet

/// A machine without iptables until `installed` is set; then an empty kernel that accepts everything.
final class SwitchableRunner: CommandRunning, Sendable {
    let installed = Mutex(false)
    let kernel = FakeIPTables()
    func run(_ argv: [String], input: String) -> CommandResult? {
        installed.withLock { $0 } ? kernel.run(argv, input: input) : nil
    }
}
