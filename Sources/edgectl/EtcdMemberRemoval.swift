import EdgeAPI
import EdgeClient
import EdgeStore
import Logging

/// Removing a --cluster-init server removes its etcd member, as k3s does: when the Node of a server is
/// deleted (`kubectl delete node`), the leading server removes the member of that name, so the cluster's
/// quorum no longer counts a machine that is gone.
struct EtcdMemberRemoval: Sendable {
    let client: APIClient
    let etcd: EtcdMaintenance
    let log = Logger(label: "edgectl.etcd")

    static let nodes = BuiltinResources.nodes

    func run() async {
        let informer = Informer(client: client, resource: Self.nodes)
        let (deleted, cont) = AsyncStream<String>.makeStream()
        informer.addHandler(Informer.Handler(added: { _ in }, updated: { _, _ in }, deleted: { n in
            if let name = n[path: ["metadata", "name"]]?.string { cont.yield(name) }
        }))
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await informer.run() }
            g.addTask {
                for await name in deleted { await remove(name) }
            }
            g.addTask {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                cont.finish()
            }
        }
    }

    func remove(_ node: String) async {
        do {
            let members = try await etcd.members()
            guard members.count > 1, let m = members.first(where: { $0.name == node }) else { return }
            try await etcd.removeMember(id: m.id)
            log.notice("node \(node) was deleted: its etcd member \(m.id) is removed from the cluster")
        } catch {
            log.warning("could not remove the etcd member of deleted node \(node): \(error)")
        }
    }
}
