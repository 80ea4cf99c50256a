import CEdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can run `executable` as a new process: containers start by
/// executing the agent's own binary as their supervisor (`edgectl shim`), so the agent
/// asks once at start rather than failing every container later.
public enum ExecProbe {
    /// nil when `executable arguments...` ran and exited 0; otherwise why not.
    public static func failure(running executable: String, _ arguments: [String]) -> String? {
        let argv = ([executable] + arguments).map { strdupOrAbort($0) }
        defer { argv.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = argv.map { UnsafePointer($0) } + [nil]
        var err = [CChar](repeating: 0, count: 512)
        let rc = pointers.withUnsafeMutableBufferPointer { edge_exec_probe(executable, $0.baseAddress!, &err, err.count) }
        return rc == 0 ? nil : String(cString: err)
    }

    private static func strdupOrAbort(_ s: String) -> UnsafeMutablePointer<CChar> {
        guard let p = strdup(s) else { fatalError("out of memory") }
        return p
    }
}
