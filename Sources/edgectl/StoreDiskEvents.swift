import EdgeAPI
import EdgeClient
import EdgeStore

/// Tells users when the store's disk fills up, and when there is room again,
/// with an Event on the server's Node (`kubectl describe node`, `kubectl get
/// events`): the store lets Events through its disk-full alarm for this.
enum StoreDiskEvents {
    static let nodes = BuiltinResources.nodes

    static func install(on backend: SQLiteBackend, client: APIClient, nodeName: String) {
        let recorder = EventRecorder(client: client, component: "edgectl-server", host: nodeName)
        backend.onDiskSpaceChange { full, detail in
            Task {
                var object: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(nodeName)]]
                if let node = try? await client.getIfExists(nodes, namespace: nil, name: nodeName) { object = node }
                await recorder.record(object, type: full ? "Warning" : "Normal", reason: full ? "StoreDiskFull" : "StoreDiskSpaceAvailable",
                                      message: detail)
            }
        }
    }
}
