import EdgeAPI

/// A CNI network configuration list (.conflist), or a single-plugin .conf
/// turned into one, as libcni reads them: a name, a cniVersion and the
/// plugins to chain; each plugin's object is passed to it as is, with the
/// list's name and version added.
public struct CNIConfigList: Equatable, Sendable {
    public var name: String
    public var cniVersion: String
    public var plugins: [JSON]
    public var disableCheck: Bool
    /// The file it came from (for messages).
    public var source: String

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `.conflist`/`.json` documents with "plugins", or a `.conf` single plugin ("type" at the top).
    public static func parse(_ bytes: [UInt8], source: String) throws -> CNIConfigList {
        let doc: JSON
        do { doc = try JSONParser.parse(bytes) } catch {
            throw Invalid(description: "\(source): not valid JSON: \(error)")
        }
        guard doc.object != nil else { throw Invalid(description: "\(source): expected a JSON object") }
        guard let name = doc["name"]?.string, !name.isEmpty else { throw Invalid(description: "\(source): no network name (\"name\")") }
        let version = doc["cniVersion"]?.string ?? "0.1.0"
        var plugins: [JSON]
        if let list = doc["plugins"] {
            guard let a = list.array, !a.isEmpty else { throw Invalid(description: "\(source): \"plugins\" must be a non-empty list") }
            plugins = a
        } else if doc["type"]?.string != nil {
            plugins = [doc]
        } else {
            throw Invalid(description: "\(source): neither \"plugins\" nor a plugin \"type\"")
        }
        for (i, p) in plugins.enumerated() {
            guard let t = p["type"]?.string, CNIPluginRunner.validPluginName(t) else {
                throw Invalid(description: "\(source): plugin \(i) has no valid \"type\" (a plain file name)")
            }
        }
        return CNIConfigList(name: name, cniVersion: version, plugins: plugins, disableCheck: doc["disableCheck"]?.bool ?? false, source: source)
    }

    /// The config one plugin reads on stdin: its object plus name, cniVersion, prevResult and the
    /// runtimeConfig entries for the capabilities it declares.
    public func pluginConfig(_ index: Int, prevResult: JSON?, runtimeConfig: [String: JSON]) -> JSON {
        var c = plugins[index]
        c["name"] = .string(name)
        c["cniVersion"] = .string(cniVersion)
        if let prevResult { c["prevResult"] = prevResult } else { c["prevResult"] = nil }
        var rc = JSONObject()
        for (cap, on) in c["capabilities"]?.object ?? JSONObject() where on.bool == true {
            if let v = runtimeConfig[cap] { rc[cap] = v }
        }
        if !rc.isEmpty { c["runtimeConfig"] = .object(rc) }
        return c
    }

    /// The list as JSON, kept with a pod so tear-down calls the plugins it was set up with.
    public var json: JSON {
        ["name": .string(name), "cniVersion": .string(cniVersion), "plugins": .array(plugins), "disableCheck": .bool(disableCheck),
         "source": .string(source)]
    }

    public init(json: JSON) throws {
        guard let name = json["name"]?.string, let version = json["cniVersion"]?.string, let plugins = json["plugins"]?.array else {
            throw Invalid(description: "a stored CNI configuration is incomplete")
        }
        self.init(name: name, cniVersion: version, plugins: plugins, disableCheck: json["disableCheck"]?.bool ?? false,
                  source: json["source"]?.string ?? "")
    }

    public init(name: String, cniVersion: String, plugins: [JSON], disableCheck: Bool = false, source: String = "") {
        self.name = name
        self.cniVersion = cniVersion
        self.plugins = plugins
        self.disableCheck = disableCheck
        self.source = source
    }

    /// CNI spec versions compare numerically part by part ("0.4.0" < "1.0.0").
    public static func version(_ v: String, atLeast w: String) -> Bool {
        let a = v.split(separator: ".").map { Int($0) ?? 0 }, b = w.split(separator: ".").map { Int($0) ?? 0 }
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x > y }
        }
        return true
    }

    /// CHECK exists from 0.4.0 on, and a list may opt out.
    public var supportsCheck: Bool { !disableCheck && Self.version(cniVersion, atLeast: "0.4.0") }
}
