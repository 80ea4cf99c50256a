import CEdgeBoards

/// This process's environment (`environ`) for posix_spawn. Through C because Swift's Glibc
/// module for armv7 does not export `environ`.
public enum ProcessEnvironment {
    public static var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? { edge_environment() }
}
