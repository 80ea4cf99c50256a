import EdgeAPI
import EdgeAPIServer
import EdgeClient

/// Connects EdgeClient to the API service in the same process: the scheduler
/// and controllers inside `edgectl server` call the API with no socket or TLS,
/// authenticated as the given user.
public enum InProcessTransport {
    public static func make(_ service: APIService, user: UserInfo) -> FunctionTransport {
        FunctionTransport(
            send: { req in
                let resp = await service.handle(HTTPRequest(method: req.method, uri: req.uri, headers: req.headers, body: req.body,
                                                            clientCertificate: user))
                switch resp.body {
                case .bytes(let b): return ClientResponse(status: resp.status, body: b)
                case .stream(let s):
                    var all: [UInt8] = []
                    for await c in s { all += c }
                    return ClientResponse(status: resp.status, body: all)
                }
            },
            stream: { req in
                let resp = await service.handle(HTTPRequest(method: req.method, uri: req.uri, headers: req.headers, body: req.body,
                                                            clientCertificate: user))
                switch resp.body {
                case .bytes(let b):
                    return (resp.status, AsyncThrowingStream { $0.yield(b); $0.finish() })
                case .stream(let s):
                    return (resp.status, AsyncThrowingStream { cont in
                        let t = Task {
                            for await c in s { cont.yield(c) }
                            cont.finish()
                        }
                        cont.onTermination = { _ in t.cancel() }
                    })
                }
            })
    }
}
