import EdgeTLS
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 GET per connection over SwiftNIO, plain or through EdgeTLS
/// (mbedtls). Registry traffic is a handful of requests per pull, so pooling
/// is not worth its state; bodies stream to the caller chunk by chunk.
struct HTTPClient: RegistryTransport {
    static let idleTimeout = TimeAmount.seconds(60)
    /// Verifies HTTPS registries against the system CA bundle, loaded on first HTTPS use.
    static let caBundlePaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]

    func get(_ url: RegistryURL, headers: [(String, String)],
             body: (HTTPResponseHead, ByteBuffer) throws -> Void) async throws -> HTTPResponseHead {
        let tls: TLSConfiguration? = url.scheme == "https" ? try Self.clientTLS() : nil
        let host = url.host
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(15))
                .connect(host: host, port: url.port) { ch in
                    ch.eventLoop.makeCompletedFuture {
                        if let tls { try ch.pipeline.syncOperations.addHandler(try TLSHandler(configuration: tls, expectedServerName: host)) }
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
                        try ch.pipeline.syncOperations.addHandler(CloseOnIdleHandler())
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: ch)
                    }
                }
        } catch {
            throw ImageError("cannot connect to \(url.authority): \(Self.reason(error)); check that the registry is running and reachable")
        }
        var requestHeaders = HTTPHeaders()
        requestHeaders.add(name: "Host", value: url.authority)
        requestHeaders.add(name: "User-Agent", value: "edgectl")
        for (k, v) in headers { requestHeaders.add(name: k, value: v) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: requestHeaders)
        return try await channel.executeThenClose { inbound, outbound in
            // Head and end in one write: a server that answers and closes at once (HTTP/1.0 style)
            // would otherwise close the channel between the two writes and fail the second.
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
            var response: HTTPResponseHead?
            for try await part in inbound {
                switch part {
                case .head(let h):
                    response = HTTPResponseHead(status: Int(h.status.code), headers: h.headers.map { ($0.name, $0.value) })
                case .body(let chunk):
                    if let response { try body(response, chunk) }
                case .end:
                    if let response { return response }
                }
            }
            throw ImageError("\(url.authority) closed the connection, or sent nothing for \(Self.idleTimeout.nanoseconds / 1_000_000_000) s, before the response to \(url.target) was complete")
        }
    }

    /// NIO's connection errors list every address tried; the errno of the first is what a person needs.
    static func reason(_ error: Error) -> String {
        if let e = error as? NIOConnectionError {
            if let first = e.connectionErrors.first { return reason(first.error) }
            if e.dnsAError != nil || e.dnsAAAAError != nil { return "cannot resolve \(e.host)" }
        }
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
        return "\(error)"
    }

    /// SSL_CERT_FILE overrides the bundle, as for Go and OpenSSL clients (private registries, tests).
    static func clientTLS() throws -> TLSConfiguration {
        var candidates = caBundlePaths
        if let override = getenv("SSL_CERT_FILE").map({ String(cString: $0) }), !override.isEmpty { candidates = [override] }
        for path in candidates where Posix.exists(path) {
            let pem = String(decoding: try Posix.readFile(path), as: UTF8.self)
            return try TLSConfiguration.client(trustedCAPEM: pem)
        }
        throw ImageError("no CA certificate bundle found (looked in \(candidates.joined(separator: ", "))); install ca-certificates or set SSL_CERT_FILE to pull over HTTPS")
    }
}
