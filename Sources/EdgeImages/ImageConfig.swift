import EdgeAPI

/// The parts of an image's config that decide how its containers start.
public struct ImageConfig: Sendable, Equatable {
    public var entrypoint: [String]
    public var cmd: [String]
    public var env: [String]
    public var workingDir: String
    public var user: String
    /// STOPSIGNAL, e.g. "SIGQUIT"; empty means SIGTERM.
    public var stopSignal: String
    public var labels: [String: String]

    public init(entrypoint: [String] = [], cmd: [String] = [], env: [String] = [], workingDir: String = "", user: String = "",
                stopSignal: String = "", labels: [String: String] = [:]) {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.stopSignal = stopSignal
        self.labels = labels
    }

    /// From the `config` member of an OCI/Docker image config (absent fields are empty).
    init(imageConfig json: JSON?) {
        func strings(_ key: String) -> [String] { json?[key]?.array?.compactMap(\.string) ?? [] }
        var labels: [String: String] = [:]
        for (k, v) in json?["Labels"]?.object ?? JSONObject() { if let s = v.string { labels[k] = s } }
        self.init(entrypoint: strings("Entrypoint"), cmd: strings("Cmd"), env: strings("Env"),
                  workingDir: json?["WorkingDir"]?.string ?? "", user: json?["User"]?.string ?? "",
                  stopSignal: json?["StopSignal"]?.string ?? "", labels: labels)
    }

    var json: JSON {
        var labelObject = JSONObject()
        for k in labels.keys.sorted() { labelObject[k] = .string(labels[k]!) }
        return .obj([
            "Entrypoint": .array(entrypoint.map { .string($0) }),
            "Cmd": .array(cmd.map { .string($0) }),
            "Env": .array(env.map { .string($0) }),
            "WorkingDir": .string(workingDir),
            "User": .string(user),
            "StopSignal": .string(stopSignal),
            "Labels": .object(labelObject),
        ])
    }
}
