import CMbedTLS
import NIOCore

/// Fired inbound once the handshake completes. `peer` is set only when the
/// peer presented a certificate that verified against the configured CA.
public struct TLSHandshakeCompleted: Sendable {
    public var peer: CertificateSubject?
    /// The certificates the peer sent, as PEM (verified or not).
    public var peerChainPEM: String
}

/// TLS for a NIO channel on mbedtls: ciphertext in, plaintext out, and the
/// reverse for writes. The session reads and writes memory buffers in C; this
/// handler only moves bytes, so no Swift closure is ever called from C.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    let config: TLSConfiguration
    private var session: OpaquePointer?
    private var handshakeDone = false
    private var closed = false
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    /// Plaintext is read through a buffer on the stack of the reading call: a
    /// per-connection buffer would cost 16 KiB for every idle kept-alive connection.
    static let readChunk = 16384
    public private(set) var peer: CertificateSubject?
    /// For clients: an IP or name the server certificate must carry in its SANs
    /// (mbedtls 2.28 cannot match IP SANs itself).
    let expectedServerName: String?

    public init(configuration: TLSConfiguration, expectedServerName: String? = nil) throws {
        config = configuration
        self.expectedServerName = expectedServerName
        let (s, err) = withErrorBuffer { edge_tls_new(configuration.pointer, $0, $1) }
        guard let s else { throw TLSError(err) }
        session = s
    }

    deinit { if let session { edge_tls_free(session) } }

    public func channelActive(context: ChannelHandlerContext) {
        if !config.isServer { advanceHandshake(context: context) }
        context.fireChannelActive()
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if !config.isServer && context.channel.isActive { advanceHandshake(context: context) }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !closed else { return }
        var buf = unwrapInboundIn(data)
        buf.withUnsafeReadableBytes { p in _ = edge_tls_feed(session, p.baseAddress?.assumingMemoryBound(to: UInt8.self), p.count) }
        buf.moveReaderIndex(forwardBy: buf.readableBytes)
        if !handshakeDone { advanceHandshake(context: context) }
        if handshakeDone { readPlaintext(context: context) }
        flushCiphertext(context: context)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard let session else { return }
        let (rc, err) = withErrorBuffer { edge_tls_handshake(session, $0, $1) }
        flushCiphertext(context: context)
        if rc == EDGE_TLS_WANT { return }
        if rc != EDGE_TLS_DONE { fail(context: context, TLSError(err)); return }
        handshakeDone = true
        var subj: UnsafeMutablePointer<CChar>?
        if edge_tls_verified_peer(session, &subj) == 1 { peer = CertificateSubject(lines: takeString(subj)) }
        var chain: UnsafeMutablePointer<CChar>?
        let chainPEM = edge_tls_peer_chain(session, &chain) == 0 ? takeString(chain) : ""
        if let expected = expectedServerName, !config.isServer, !Self.certificate(chainPEM, covers: expected) {
            fail(context: context, TLSError("TLS handshake failed: the server certificate is not valid for \(expected)"))
            return
        }
        context.fireUserInboundEventTriggered(TLSHandshakeCompleted(peer: peer, peerChainPEM: chainPEM))
        let hadWrites = !pendingWrites.isEmpty
        encryptPending(context: context)
        flushCiphertext(context: context)
        // Writes queued during the handshake were flushed by their writer long ago: flush them now.
        if hadWrites { context.flush() }
    }

    /// Checks the leaf certificate's SANs for `name` (an IP or DNS name).
    static func certificate(_ chainPEM: String, covers name: String) -> Bool {
        guard let end = chainPEM.firstRange(of: "-----END CERTIFICATE-----") else { return false }
        let leaf = String(chainPEM[..<end.upperBound]) + "\n"
        guard let info = try? PKI.inspectCertificate(leaf) else { return false }
        return info.ipAddresses.contains(name) || info.dnsNames.contains(name.lowercased())
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        guard let session else { return }
        let ended: (Int32, String)? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.readChunk) { chunk in
            while true {
                let (n, err) = withErrorBuffer { edge_tls_read(session, chunk.baseAddress, chunk.count, $0, $1) }
                if n > 0 {
                    var out = context.channel.allocator.buffer(capacity: Int(n))
                    out.writeBytes(UnsafeBufferPointer(rebasing: chunk[0..<Int(n)]))
                    context.fireChannelRead(wrapInboundOut(out))
                    continue
                }
                return n == 0 ? nil : (n, err)
            }
        }
        guard let (n, err) = ended else {
            context.fireChannelReadComplete()
            return
        }
        if n == EDGE_TLS_CLOSED {
            flushCiphertext(context: context)
            context.close(promise: nil)
        } else {
            fail(context: context, TLSError(err))
        }
    }

    /// Plaintext waits for the writer's flush and is then encrypted together: an HTTP
    /// response's head and body (two writes) go out as one record in one buffer, not two
    /// records in two, which saves a record's sealing and a buffer here and a record's
    /// opening in the client (both sides share the cores under load).
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        pendingWrites.append((unwrapOutboundIn(data), promise))
    }

    public func flush(context: ChannelHandlerContext) {
        // Before the handshake ends, the writes wait for it (advanceHandshake sends and flushes them).
        if handshakeDone { encryptPending(context: context) }
        flushCiphertext(context: context)
        context.flush()
    }

    /// The largest plaintext of one TLS record.
    static let recordPlaintext = 16384

    /// Encrypts every write waiting for a flush into the session's output and passes that
    /// on as one buffer (not flushed). Several small writes are copied together first so
    /// that they become one record.
    private func encryptPending(context: ChannelHandlerContext) {
        guard !pendingWrites.isEmpty else { return }
        let writes = pendingWrites
        pendingWrites = []
        let promises = writes.compactMap { $0.1 }
        guard let session, !closed else {
            for p in promises { p.fail(ChannelError.ioOnClosedChannel) }
            return
        }
        let total = writes.reduce(0) { $0 + $1.0.readableBytes }
        var failed: String?
        if writes.count > 1 && total <= Self.recordPlaintext {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(total, 1)) { joined in
                var off = 0
                for (b, _) in writes {
                    b.withUnsafeReadableBytes { p in
                        if p.count > 0 { UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(joined)[off..<off + p.count]).copyMemory(from: p) }
                        off += p.count
                    }
                }
                failed = Self.seal(session, UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer(joined))[0..<total])
            }
        } else {
            for (b, _) in writes where failed == nil {
                failed = b.withUnsafeReadableBytes { Self.seal(session, $0[...]) }
            }
        }
        if let failed {
            for p in promises { p.fail(TLSError(failed)) }
            fail(context: context, TLSError(failed))
            return
        }
        let len = edge_tls_out_len(session)
        guard len > 0 else { for p in promises { p.succeed() }; return }
        var out = context.channel.allocator.buffer(capacity: len)
        out.writeBytes(UnsafeRawBufferPointer(start: edge_tls_out_data(session), count: len))
        edge_tls_out_consume(session, len)
        var promise: EventLoopPromise<Void>?
        if promises.count == 1 {
            promise = promises[0]
        } else if !promises.isEmpty {
            let all = context.eventLoop.makePromise(of: Void.self)
            for p in promises { all.futureResult.cascade(to: p) }
            promise = all
        }
        context.write(wrapOutboundOut(out), promise: promise)
    }

    /// Encrypts `bytes` into the session's output (mbedtls writes at most one record per call);
    /// the error text when it fails.
    private static func seal(_ session: OpaquePointer, _ bytes: Slice<UnsafeRawBufferPointer>) -> String? {
        guard let base = bytes.base.baseAddress else { return nil }
        var off = bytes.startIndex
        while off < bytes.endIndex {
            let (n, err) = withErrorBuffer { edge_tls_write(session, (base + off).assumingMemoryBound(to: UInt8.self), bytes.endIndex - off, $0, $1) }
            if n <= 0 { return err }
            off += Int(n)
        }
        return nil
    }

    private func flushCiphertext(context: ChannelHandlerContext) {
        guard let session else { return }
        let len = edge_tls_out_len(session)
        guard len > 0 else { return }
        var out = context.channel.allocator.buffer(capacity: len)
        out.writeBytes(UnsafeRawBufferPointer(start: edge_tls_out_data(session), count: len))
        edge_tls_out_consume(session, len)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // Writes not yet flushed go out before the close, as they would on a plain channel.
        if handshakeDone, !closed { encryptPending(context: context) }
        if let session, handshakeDone, !closed, mode == .all {
            _ = edge_tls_close_notify(session)
            flushCiphertext(context: context)
        }
        closed = true
        context.close(mode: mode, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closed = true
        for (_, p) in pendingWrites { p?.fail(ChannelError.ioOnClosedChannel) }
        pendingWrites = []
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        closed = true
        for (_, p) in pendingWrites { p?.fail(error) }
        pendingWrites = []
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
