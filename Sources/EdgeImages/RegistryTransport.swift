import NIOCore

/// One GET to a registry, token service or blob store, body streamed to the
/// caller. A protocol so the registry client's authentication can be tested
/// against scripted responses instead of a network.
protocol RegistryTransport: Sendable {
    func get(_ url: RegistryURL, headers: [(String, String)],
             body: (HTTPResponseHead, ByteBuffer) throws -> Void) async throws -> HTTPResponseHead
}

extension RegistryTransport {
    /// GET with the whole body in memory (manifests, configs, tokens, error documents).
    func fetch(_ url: RegistryURL, headers: [(String, String)], limit: Int = 8 << 20) async throws -> (HTTPResponseHead, [UInt8]) {
        var bytes: [UInt8] = []
        let head = try await get(url, headers: headers) { _, chunk in
            guard bytes.count + chunk.readableBytes <= limit else {
                throw ImageError("response from \(url.authority)\(url.target) is larger than \(limit) bytes")
            }
            bytes += chunk.readableBytesView
        }
        return (head, bytes)
    }
}
