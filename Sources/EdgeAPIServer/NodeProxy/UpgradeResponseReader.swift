import NIOCore

/// Reads an agent's answer to an upgrade request as raw bytes: the head up to
/// the blank line, then (for 101) everything after it is kept for the relay
/// that takes over, or (for a refusal) the body up to Content-Length or close.
final class UpgradeResponseReader: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Head {
        var status: Int
        var bytes: [UInt8]
        var contentLength: Int?
    }

    /// (head, bytes after it: frames for 101, the body otherwise).
    let done: EventLoopPromise<(Head, [UInt8])>
    private var buffer: [UInt8] = []
    private var head: Head?
    private var fulfilled = false
    static let maxHead = 16 * 1024

    init(done: EventLoopPromise<(Head, [UInt8])>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer += unwrapInboundIn(data).readableBytesView
        if head == nil {
            guard let end = Self.headEnd(buffer) else {
                if buffer.count > Self.maxHead { fail(context, "the node's agent sent an oversized response head") }
                return
            }
            guard let h = Self.parseHead(Array(buffer[..<end])) else { return fail(context, "the node's agent sent a malformed response") }
            head = h
            buffer.removeFirst(end)
        }
        guard let h = head, !fulfilled else { return }
        if h.status == 101 || (h.contentLength.map { buffer.count >= $0 } ?? false) { fulfil() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if head != nil { fulfil() } else { done.fail(ChannelError.eof) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    private func fulfil() {
        guard let h = head, !fulfilled else { return }
        fulfilled = true
        let rest = buffer
        buffer = []
        done.succeed((h, rest))
    }

    /// Bytes that arrived after the 101 was handed over; the caller removes this handler right after.
    func takeRemaining() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    private func fail(_ context: ChannelHandlerContext, _ why: String) {
        done.fail(APIErrorBox(why))
        context.close(promise: nil)
    }

    struct APIErrorBox: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    /// Offset just past "\r\n\r\n".
    static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i + 4 }
        return nil
    }

    static func parseHead(_ bytes: [UInt8]) -> Head? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        var length: Int?
        for line in lines.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "content-length" { length = Int(kv[1].filter { $0 != " " }) }
        }
        return Head(status: status, bytes: bytes, contentLength: length)
    }
}
