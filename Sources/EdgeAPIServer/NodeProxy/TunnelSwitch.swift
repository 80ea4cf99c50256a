import NIOCore
import NIOHTTP1

/// Turns a client connection that asked for an exec upgrade into a byte
/// tunnel to the agent: the HTTP handlers leave the client pipeline, the
/// agent's 101 goes out raw, then both directions are relayed as they are.
enum TunnelSwitch {
    static func connect(client: Channel, agent: Channel, head: [UInt8], early: [UInt8], reader: UpgradeTunnelReader) {
        client.eventLoop.execute {
            let ops = client.pipeline.syncOperations
            // Gone first, so nothing HTTP-shaped is written or parsed from here on.
            if let h = try? ops.handler(type: HTTPRequestHandler.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: HTTPServerProtocolErrorHandler.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: HTTPServerPipelineHandler.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: NIOHTTPResponseHeadersValidator.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: HTTPResponseEncoder.self) { _ = ops.removeHandler(h) }
            if let h = try? ops.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) { _ = ops.removeHandler(h) }
            do {
                try ops.addHandler(ByteRelayHandler(peer: agent))
            } catch {
                client.close(promise: nil)
                agent.close(promise: nil)
                return
            }
            client.writeAndFlush(client.allocator.buffer(bytes: head + early), promise: nil)
            client.read()
            // The agent side is switched only now, so its frames follow the 101 to the client.
            agent.eventLoop.execute {
                let aops = agent.pipeline.syncOperations
                let late = reader.handler.takeRemaining()
                _ = aops.removeHandler(reader.handler)
                if !late.isEmpty { client.writeAndFlush(client.allocator.buffer(bytes: late), promise: nil) }
                do { try aops.addHandler(ByteRelayHandler(peer: client)) } catch { agent.close(promise: nil) }
                if !agent.isActive { client.close(promise: nil) }
            }
        }
    }
}
