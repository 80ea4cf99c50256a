/// Where a role keeps its state: --data-dir, else $EDGECTL_DATA_DIR, else /var/lib/edgectl/<role>.
enum DataDirectory {
    static func resolve(_ flag: String?, role: String) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = FileSystem.environment("EDGECTL_DATA_DIR"), !env.isEmpty { return env }
        return "/var/lib/edgectl/\(role)"
    }
}
