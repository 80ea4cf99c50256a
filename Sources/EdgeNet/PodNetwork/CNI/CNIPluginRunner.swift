import CEdgeNet
import Dispatch
import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// Calls one CNI plugin as the spec says: the binary named by "type" from the
/// plugin directories, CNI_* variables in its environment, its configuration
/// on stdin, the result (or an error object) on stdout. Runs on a Dispatch
/// thread: plugins take milliseconds to seconds.
public struct CNIPluginRunner: Sendable {
    public var binDirectories: [String]
    public var timeout: Duration = .seconds(60)

    public init(binDirectories: [String]) { self.binDirectories = binDirectories }

    public struct Invocation: Sendable {
        public var command: String
        public var containerID: String
        public var netns: String
        public var ifname: String
        public var args: [(String, String)]
    }

    public struct PluginError: Error, CustomStringConvertible, Sendable {
        public var code: Int64
        public var description: String
    }

    /// A plugin type is a file name, nothing that could walk out of the plugin directories.
    public static func validPluginName(_ t: String) -> Bool {
        !t.isEmpty && !t.contains("/") && t != "." && t != ".." && !t.contains("\0")
    }

    func find(_ type: String) -> String? {
        guard Self.validPluginName(type) else { return nil }
        return binDirectories.map { $0 + "/" + type }.first { access($0, X_OK) == 0 }
    }

    /// stdout parsed as JSON (empty output: nil). A non-zero exit is a PluginError with the plugin's message.
    public func run(type: String, config: JSON, _ inv: Invocation) async throws -> JSON? {
        guard let path = find(type) else {
            throw PluginError(code: 0, description: "failed to find plugin \"\(type)\" in path \(binDirectories)")
        }
        let args = inv.args.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        var env = ["CNI_COMMAND=\(inv.command)", "CNI_CONTAINERID=\(inv.containerID)", "CNI_NETNS=\(inv.netns)",
                   "CNI_IFNAME=\(inv.ifname)", "CNI_ARGS=\(args)", "CNI_PATH=\(binDirectories.joined(separator: ":"))"]
        env.append("PATH=" + (getenv("PATH").flatMap { String(validatingCString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"))
        let environment = env
        let input = JSONSerializer.serialize(config)
        let ms = Int32(clamping: timeout.components.seconds * 1000)
        let (output, status) = try await Self.offload { try Self.spawn(path, env: environment, input: input, timeoutMs: ms) }
        let text = String(decoding: output, as: UTF8.self)
        let doc = output.isEmpty ? nil : try? JSONParser.parse(output)
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            if let doc, let msg = doc["msg"]?.string {
                let details = doc["details"]?.string.map { ": " + $0 } ?? ""
                throw PluginError(code: doc["code"]?.int ?? 0, description: "plugin type=\"\(type)\" failed (\(inv.command)): \(msg)\(details)")
            }
            let how = exited ? "exit status \(code)" : "signal \(status & 0x7f)"
            throw PluginError(code: 0, description: "plugin type=\"\(type)\" failed (\(inv.command)): \(how) \(text.prefix(500))")
        }
        if !output.isEmpty && doc == nil {
            throw PluginError(code: 0, description: "plugin type=\"\(type)\" (\(inv.command)) printed something that is not JSON: \(text.prefix(500))")
        }
        return doc
    }

    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            DispatchQueue.global().async {
                do { cont.resume(returning: try work()) } catch { cont.resume(throwing: error) }
            }
        }
    }

    static func spawn(_ path: String, env: [String], input: [UInt8], timeoutMs: Int32) throws -> ([UInt8], Int32) {
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var out: UnsafeMutablePointer<CChar>?
        var outLen = 0
        var status: Int32 = 0
        var err = [CChar](repeating: 0, count: 512)
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                input.withUnsafeBufferPointer { i in
                    i.withMemoryRebound(to: CChar.self) { ic in
                        a.withMemoryRebound(to: UnsafePointer<CChar>?.self) { ac in
                            e.withMemoryRebound(to: UnsafePointer<CChar>?.self) { ec in
                                edge_run_program(path, ac.baseAddress, ec.baseAddress, ic.baseAddress, ic.count, &out, &outLen, &status, timeoutMs, &err, err.count)
                            }
                        }
                    }
                }
            }
        }
        guard rc == 0 else { throw PluginError(code: 0, description: Netlink.message(err)) }
        defer { free(out) }
        let bytes = out.map { p in Array(UnsafeRawBufferPointer(start: p, count: outLen).bindMemory(to: UInt8.self)) } ?? []
        return (bytes, status)
    }
}
