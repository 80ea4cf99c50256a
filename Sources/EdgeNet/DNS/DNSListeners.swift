import NIOCore
import NIOPosix

/// UDP and TCP front ends of the DNS server: thin NIO handlers that hand
/// each packet to the responder and write what it decides.
enum DNSListeners {
    static func sourceIPv4(_ a: SocketAddress?) -> UInt32? {
        guard case .v4(let v4)? = a else { return nil }
        return UInt32(bigEndian: v4.address.sin_addr.s_addr)
    }

    final class UDPHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let responder: DNSResponder
        let forwarder: DNSForwarder?

        init(responder: DNSResponder, forwarder: DNSForwarder?) {
            self.responder = responder
            self.forwarder = forwarder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let env = unwrapInboundIn(data)
            let bytes = Array(env.data.readableBytesView)
            let channel = context.channel
            switch responder.respond(bytes, source: DNSListeners.sourceIPv4(env.remoteAddress), udp: true) {
            case .drop: return
            case .reply(let out):
                // Flushed once per read burst (channelReadComplete): several answers leave in one sendmmsg.
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: env.remoteAddress, data: channel.allocator.buffer(bytes: out))), promise: nil)
                pending = true
            case .forward(let q):
                DNSListeners.forward(q, bytes, tcp: false, responder, forwarder) { out in
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: env.remoteAddress, data: channel.allocator.buffer(bytes: out)), promise: nil)
                }
            case .chase(let q, let a, let target):
                DNSListeners.chase(q, a, target, udp: true, forwarder) { out in
                    channel.writeAndFlush(AddressedEnvelope(remoteAddress: env.remoteAddress, data: channel.allocator.buffer(bytes: out)), promise: nil)
                }
            }
        }

        private var pending = false

        func channelReadComplete(context: ChannelHandlerContext) {
            if pending {
                pending = false
                context.flush()
            }
            context.fireChannelReadComplete()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {} // one bad peer must not stop the listener
    }

    /// DNS over TCP: two-byte length, message; several queries per connection.
    final class TCPHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let responder: DNSResponder
        let forwarder: DNSForwarder?
        private var buffer: [UInt8] = []

        init(responder: DNSResponder, forwarder: DNSForwarder?) {
            self.responder = responder
            self.forwarder = forwarder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffer += unwrapInboundIn(data).readableBytesView
            let channel = context.channel
            let source = DNSListeners.sourceIPv4(channel.remoteAddress)
            while buffer.count >= 2 {
                let n = Int(buffer[0]) << 8 | Int(buffer[1])
                guard buffer.count >= n + 2 else { break }
                let message = Array(buffer[2..<(n + 2)])
                buffer.removeFirst(n + 2)
                let reply: @Sendable ([UInt8]) -> Void = { out in
                    var b = channel.allocator.buffer(capacity: out.count + 2)
                    b.writeInteger(UInt16(truncatingIfNeeded: out.count))
                    b.writeBytes(out)
                    channel.writeAndFlush(b, promise: nil)
                }
                switch responder.respond(message, source: source, udp: false) {
                case .drop: context.close(promise: nil); return
                case .reply(let out): reply(out)
                case .forward(let q): DNSListeners.forward(q, message, tcp: true, responder, forwarder, reply)
                case .chase(let q, let a, let target): DNSListeners.chase(q, a, target, udp: false, forwarder, reply)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    /// The CNAME plus the upstream's records for its target; the CNAME alone if upstream fails.
    static func chase(_ q: DNSQuery, _ a: DNSAnswer, _ target: DNSName, udp: Bool, _ forwarder: DNSForwarder?,
                      _ reply: @escaping @Sendable ([UInt8]) -> Void) {
        let limit = udp ? Int(max(512, min(q.ednsSize ?? 512, 4096))) : 65535
        guard let forwarder else { return reply(a.encode(for: q, limit: limit)) }
        var w = DNSWriter()
        let id = UInt16.random(in: 0...UInt16.max)
        w.u16(id); w.u16(0x0100); w.u16(1); w.u16(0); w.u16(0); w.u16(0)
        w.name(target, compress: false)
        w.u16(q.question.type == DNSType.any ? DNSType.a : q.question.type); w.u16(1)
        let sub = DNSQuery(id: id, flags: 0x0100, question: DNSQuestion(name: target, raw: target.labels, type: q.question.type, qclass: 1), ednsSize: nil)
        forwarder.forward(sub, bytes: w.bytes, tcp: !udp).whenComplete { result in
            var combined = a
            if case .success(let bytes) = result, let (rcode, records) = DNSAnswer.answerRecords(bytes) {
                combined.answers += records
                if records.isEmpty && rcode == DNSRcode.nxDomain { combined.rcode = DNSRcode.nxDomain }
            }
            reply(combined.encode(for: q, limit: limit))
        }
    }

    static func forward(_ q: DNSQuery, _ bytes: [UInt8], tcp: Bool, _ responder: DNSResponder, _ forwarder: DNSForwarder?,
                        _ reply: @escaping @Sendable ([UInt8]) -> Void) {
        guard let forwarder else { return reply(DNSAnswer.error(id: q.id, flags: q.flags, rcode: DNSRcode.servFail)) }
        forwarder.forward(q, bytes: bytes, tcp: tcp).whenComplete { result in
            switch result {
            case .success(let answer):
                responder.cache.put(DNSCache.Key(name: q.question.name, type: q.question.type, qclass: q.question.qclass), response: answer)
                reply(answer)
            case .failure:
                reply(DNSAnswer.error(id: q.id, flags: q.flags, rcode: DNSRcode.servFail))
            }
        }
    }
}
