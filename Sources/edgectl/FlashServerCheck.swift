import EdgeAPI
import EdgeClient
import EdgeTLS
import NIOPosix

/// Before a card is written: does the server answer with the CA the hash names, and does it accept
/// the token? An expired token caught here costs a minute, not a trip to the board. A server this
/// machine cannot reach is only a warning: the board may reach it where this machine cannot.
enum FlashServerCheck {
    enum Outcome { case accepted, unreachable(String), refused(String) }

    static let csrs = BuiltinResources.certificateSigningRequests

    static func run(server: String, token: String, caCertHash: String) async -> Outcome {
        let flow = JoinFlow(server: server, token: token, caCertHash: caCertHash, dataDir: "", nodeName: "")
        let caPEM: String
        do {
            caPEM = try await flow.discoverCA()
        } catch let e as JoinFlow.Failure {
            return e.description.hasPrefix("cannot reach") ? .unreachable(e.description) : .refused(e.description)
        } catch {
            return .unreachable("\(error)")
        }
        do {
            let client = APIClient(transport: try flow.transport(try TLSConfiguration.client(trustedCAPEM: caPEM)), userAgent: "edgectl-flash",
                                   bearerToken: token)
            // What a joining node may do with its token (certificate requests): nothing is created.
            _ = try await client.list(csrs, namespace: nil)
            return .accepted
        } catch let e as APIError where e.code == 401 {
            return .refused("the server rejected the token: it is wrong, expired or deleted. Create one with `edgectl token create` on the server")
        } catch let e as APIError {
            return .refused("the server refused the token check: \(e.code) \(e.message)")
        } catch {
            return .unreachable("\(error)")
        }
    }
}
