import EdgeCommandLine

/// The datastore flags beyond --datastore-endpoint, named as k3s names them.
struct DatastoreOptions: ParsableArguments {
    @Option(name: .long, help: "CA bundle that verifies the datastore's server certificate (etcd over https://, PostgreSQL with sslmode=verify-full).")
    var datastoreCafile: String?

    @Option(name: .long, help: "Client certificate for the datastore (etcd's --client-cert-auth).")
    var datastoreCertfile: String?

    @Option(name: .long, help: "Key of --datastore-certfile.")
    var datastoreKeyfile: String?

    @Option(name: .long, help: ArgumentHelp(
        "How much history the store keeps for watches and paged lists (older resourceVersions get 410 Gone): compaction, on "
            + "the leading server, goes to the revision this long ago (0 turns it off).",
        valueName: "duration"))
    var compactionRetention: String = "5m"

    func validate() throws {
        guard let s = DurationFlag.seconds(compactionRetention), s >= 0 else {
            throw ValidationError("--compaction-retention \(compactionRetention) is not a duration like 5m or 30s (0 turns compaction off)")
        }
        if (datastoreCertfile == nil) != (datastoreKeyfile == nil) {
            throw ValidationError("--datastore-certfile and --datastore-keyfile go together")
        }
    }

    var compactionRetentionSeconds: Int64 { DurationFlag.seconds(compactionRetention) ?? 300 }
}
