import EdgeCommandLine

/// Per-node pod network flags, shared by `server` (its local agent), `agent` and `join`.
/// The cluster-wide ones (--flannel-backend, --cluster-cidr, --cluster-dns ...) are the server's.
struct PodNetworkOptions: ParsableArguments {
    @Option(help: "Directory of CNI network configurations: used with --flannel-backend none, or whenever it holds one.")
    var cniConfDir: String = "/etc/cni/net.d"

    @Option(help: "Directories of CNI plugin binaries, colon-separated (kubelet's /opt/cni/bin; Debian's containernetworking-plugins install to /usr/lib/cni).")
    var cniBinDir: String = "/opt/cni/bin:/usr/lib/cni"

    @Option(help: "The resolv.conf pods' DNS settings start from (kubelet's --resolv-conf; default /etc/resolv.conf, or systemd-resolved's list when that one names only a local stub).")
    var resolvConf: String?

    var cniBinDirectories: [String] { cniBinDir.split(separator: ":").map(String.init).filter { !$0.isEmpty } }
}
