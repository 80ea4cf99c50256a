/// The systemd unit and environment file `edgectl install` writes. Secrets (the join token) live
/// only in the environment file, mode 0600; the unit holds the command line without them.
public struct ServiceUnit: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable { case server, agent }

    public var role: Role
    /// The installed binary, e.g. /usr/local/bin/edgectl.
    public var binary: String
    /// Arguments after the role (no secrets): --data-dir, --node-name ...
    public var arguments: [String]
    /// KEY=value lines for the environment file (EDGECTL_TOKEN ...).
    public var environment: [(key: String, value: String)]

    public init(role: Role, binary: String, arguments: [String], environment: [(key: String, value: String)]) {
        self.role = role
        self.binary = binary
        self.arguments = arguments
        self.environment = environment
    }

    public static func == (a: ServiceUnit, b: ServiceUnit) -> Bool {
        a.role == b.role && a.binary == b.binary && a.arguments == b.arguments
            && a.environment.map { $0.key + "=" + $0.value } == b.environment.map { $0.key + "=" + $0.value }
    }

    public var name: String { "edgectl-\(role.rawValue).service" }
    public static let unitDirectory = "/etc/systemd/system"
    public static let environmentDirectory = "/etc/edgectl"
    public var unitPath: String { Self.unitDirectory + "/" + name }
    public var environmentPath: String { Self.environmentDirectory + "/\(role.rawValue).env" }
    /// What `systemctl enable` links: the unit, wanted by multi-user.target.
    public var wantsLink: String { Self.unitDirectory + "/multi-user.target.wants/" + name }

    /// Quoted for systemd's ExecStart: words with spaces or quotes in double quotes, escapes for \ " and %.
    static func quote(_ word: String) -> String {
        let escaped = word.replacingAll("%", "%%")
        guard escaped.isEmpty || escaped.contains(where: { " \t\"\\'$;".contains($0) }) else { return escaped }
        return "\"" + escaped.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\""
    }

    /// The unit. Restart=always keeps the node up; After/Wants network-online.target start it once the
    /// network is configured (it must reach the server); KillMode=process stops only edgectl itself on a
    /// restart or upgrade, so containers (and their supervisors) keep running and are re-adopted;
    /// Delegate=yes leaves the cgroups edgectl makes to it.
    public var unitText: String {
        let exec = ([binary, role.rawValue] + arguments).map(Self.quote).joined(separator: " ")
        return """
            # Written by `edgectl install \(role.rawValue)`; `edgectl uninstall` removes it.
            [Unit]
            Description=edgectl \(role.rawValue): \(role == .server ? "Kubernetes-compatible control plane and node agent" : "Kubernetes-compatible node agent")
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=exec
            EnvironmentFile=-\(environmentPath)
            ExecStart=\(exec)
            KillMode=process
            Delegate=yes
            Restart=always
            RestartSec=5s
            TimeoutStartSec=0
            LimitNOFILE=1048576
            LimitNPROC=infinity
            LimitCORE=infinity
            TasksMax=infinity

            [Install]
            WantedBy=multi-user.target

            """
    }

    /// KEY=value lines; values with spaces in double quotes (systemd's EnvironmentFile syntax).
    public var environmentText: String {
        "# edgectl \(role.rawValue) settings; secrets live here, not in the unit (mode 0600).\n"
            + environment.map { "\($0.key)=\($0.value.contains(" ") ? "\"\($0.value)\"" : $0.value)\n" }.joined()
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String {
        guard !a.isEmpty, contains(a) else { return self }
        var out = ""
        var rest = Substring(self)
        while !rest.isEmpty {
            if rest.hasPrefix(a) { out += b; rest = rest.dropFirst(a.count) } else { out.append(rest.first!); rest = rest.dropFirst() }
        }
        return out
    }
}
