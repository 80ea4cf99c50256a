import ArgumentParser

/// The datastore flags beyond --datastore-endpoint, named as k3s names them.
struct DatastoreOptions: ParsableArguments {
    @Option(name: .long, help: "CA bundle that verifies the datastore's server certificate (etcd over https://, PostgreSQL with sslmode=verify-full).")
    var datastoreCafile: String?

    @Option(name: .long, help: "Client certificate for the datastore (etcd's --client-cert-auth).")
    var datastoreCertfile: String?

    @Option(name: .long, help: "Key of --datastore-certfile.")
    var datastoreKeyfile: String?

    @Option(name: .long, help: ArgumentHelp(
        "How much history the store keeps for watches and paged lists (older resourceVersions get 410 Gone), as kube-apiserver's "
            + "--etcd-compaction-interval: compaction runs on the leading server to the revision this long ago.",
        valueName: "duration"))
    var etcdCompactionInterval: String = "5m"

    func validate() throws {
        guard let s = DurationFlag.seconds(etcdCompactionInterval), s >= 0 else {
            throw ValidationError("--etcd-compaction-interval \(etcdCompactionInterval) is not a duration like 5m or 30s (0 turns compaction off)")
        }
        if (datastoreCertfile == nil) != (datastoreKeyfile == nil) {
            throw ValidationError("--datastore-certfile and --datastore-keyfile go together")
        }
    }

    var compactionRetentionSeconds: Int64 { DurationFlag.seconds(etcdCompactionInterval) ?? 300 }
}
