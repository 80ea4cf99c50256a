/// The network configuration in a CNI configuration directory, chosen as
/// libcni and the container runtimes choose it: files ending .conflist, .conf
/// or .json in name order, the first that parses wins.
public enum CNIConfigDirectory {
    public static let extensions = [".conflist", ".conf", ".json"]

    public struct Loaded: Sendable {
        public var config: CNIConfigList?
        /// Files that did not parse, with why (for the agent's log).
        public var problems: [String]
    }

    public static func load(_ dir: String) -> Loaded {
        var problems: [String] = []
        for name in PodNetworkFiles.list(dir) where extensions.contains(where: { name.hasSuffix($0) }) {
            let path = dir + "/" + name
            guard let bytes = PodNetworkFiles.read(path) else { continue }
            do {
                return Loaded(config: try CNIConfigList.parse(bytes, source: path), problems: problems)
            } catch {
                problems.append("\(error)")
            }
        }
        return Loaded(config: nil, problems: problems)
    }

    /// True when the directory holds any candidate file at all.
    public static func hasCandidates(_ dir: String) -> Bool {
        PodNetworkFiles.list(dir).contains { name in extensions.contains(where: { name.hasSuffix($0) }) }
    }
}
