import NIOCore

/// Opens a TCP connection to a port of the pod (inside its network
/// namespace) on the given event loop, or fails with a message for the user.
typealias PortDialer = @Sendable (_ port: Int, _ loop: EventLoop) -> EventLoopFuture<Channel>
