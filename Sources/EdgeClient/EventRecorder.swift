import EdgeAPI
import Synchronization

/// Writes core/v1 Events the way upstream components do, so `kubectl
/// describe` tells the story. Repeats of the same event (object, type,
/// reason, message) bump `count` and `lastTimestamp` instead of piling up.
public final class EventRecorder: Sendable {
    let client: APIClient
    let component: String
    let host: String
    static let events = BuiltinResources.events

    struct Seen { var name: String; var namespace: String; var count: Int64 }
    private let seen = Mutex<[String: Seen]>([:])

    public init(client: APIClient, component: String, host: String = "") {
        self.client = client
        self.component = component
        self.host = host
    }

    /// Records an event about `object`; failures are dropped (events are best effort, as upstream).
    public func record(_ object: JSON, type: String = "Normal", reason: String, message: String) async {
        let uid = object[path: ["metadata", "uid"]]?.string ?? ""
        let ns = object[path: ["metadata", "namespace"]]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        let dedupe = [uid, type, reason, message].joined(separator: "\u{1F}")
        let now = Timestamp.now()
        if let prior = seen.withLock({ $0[dedupe] }) {
            let count = prior.count + 1
            do {
                _ = try await client.mergePatch(Self.events, namespace: prior.namespace, name: prior.name,
                                                ["count": .int(count), "lastTimestamp": .string(now.rfc3339)])
                seen.withLock { $0[dedupe]?.count = count }
                return
            } catch {
                seen.withLock { _ = $0.removeValue(forKey: dedupe) }
            }
        }
        let hex = String(UInt64(now.seconds) * 1_000_000_000 + UInt64(now.nanoseconds), radix: 16)
        var involved: JSON = ["kind": object["kind"] ?? "", "name": .string(name), "uid": .string(uid),
                              "apiVersion": object["apiVersion"] ?? "",
                              "resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""]
        if let n = object[path: ["metadata", "namespace"]]?.string, !n.isEmpty { involved["namespace"] = .string(n) }
        let eventName = "\(name).\(hex)"
        let ev: JSON = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(eventName), "namespace": .string(ns)],
            "involvedObject": involved, "reason": .string(reason), "message": .string(message),
            "source": host.isEmpty ? ["component": .string(component)] : ["component": .string(component), "host": .string(host)],
            "firstTimestamp": .string(now.rfc3339), "lastTimestamp": .string(now.rfc3339), "count": 1,
            "type": .string(type), "reportingComponent": .string(component), "reportingInstance": .string(host),
        ]
        if (try? await client.create(Self.events, namespace: ns, ev)) != nil {
            seen.withLock { s in
                if s.count > 4096 { s.removeAll() } // bounded: an old repeat just starts a new event
                s[dedupe] = Seen(name: eventName, namespace: ns, count: 1)
            }
        }
    }
}
