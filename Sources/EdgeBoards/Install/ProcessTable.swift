#if canImport(Glibc)
import Glibc
#endif

/// The machine's processes as killall needs them: command lines and start times from /proc.
public struct ProcessInfo: Sendable, Equatable {
    public var pid: Int32
    public var arguments: [String]
    /// Field 22 of /proc/PID/stat (clock ticks since boot): a pid plus this names one process.
    public var startTicks: UInt64
}

public enum ProcessTable {
    public static func list(_ root: HostRoot = HostRoot("/")) -> [ProcessInfo] {
        root.list("/proc").compactMap { name in
            guard let pid = Int32(name), pid > 0 else { return nil }
            guard let raw = root.readBytes("/proc/\(pid)/cmdline", limit: 65536), !raw.isEmpty else { return nil }
            let args = raw.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return ProcessInfo(pid: pid, arguments: args.last == "" ? Array(args.dropLast()) : args, startTicks: startTicks(root, pid) ?? 0)
        }
    }

    /// Start time of a pid, nil when there is no such process (or it is a zombie: it has already ended).
    public static func startTicks(_ root: HostRoot = HostRoot("/"), _ pid: Int32) -> UInt64? {
        guard let stat = root.read("/proc/\(pid)/stat", limit: 4096), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    public static func alive(_ pid: Int32, startTicks: UInt64) -> Bool {
        guard let t = self.startTicks(HostRoot("/"), pid) else { return false }
        return startTicks == 0 || t == startTicks
    }
}
