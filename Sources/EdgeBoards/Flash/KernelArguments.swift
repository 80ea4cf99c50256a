/// Adding kernel arguments to a boot configuration, each file in its own syntax. Arguments already
/// present stay as they are, so flashing twice changes nothing the second time.
public enum KernelArguments {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// cmdline.txt: one line of arguments (the firmware reads only the first); ours go at its end,
    /// after what the firmware adds, so cgroup_enable=memory wins over the firmware's cgroup_disable=memory.
    public static func cmdline(_ text: String, adding args: [String]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
        var words = lines[0].split(separator: " ").map(String.init)
        for a in args where !words.contains(a) { words.append(a) }
        lines[0] = words.joined(separator: " ")
        return lines.joined(separator: "\n")
    }

    /// Hardkernel's boot.ini (U-Boot commands): a `setenv bootargs "${bootargs} ARGS"` line just
    /// before the first booti/bootm/bootz, where bootargs is complete.
    public static func bootIni(_ text: String, adding args: [String]) throws -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let missing = args.filter { a in !lines.contains { $0.contains("bootargs") && $0.split(separator: " ").contains { $0.trimmingQuotes == a } } }
        guard !missing.isEmpty else { return text }
        guard let boot = lines.firstIndex(where: { l in ["booti", "bootm", "bootz"].contains { l.trimmingSpaces.hasPrefix($0 + " ") || l.trimmingSpaces == $0 } }) else {
            throw Failure(description: "boot.ini has no booti/bootm/bootz line to put the kernel arguments before")
        }
        lines.insert("setenv bootargs \"${bootargs} \(missing.joined(separator: " "))\"", at: boot)
        return lines.joined(separator: "\n")
    }

    /// Armbian's armbianEnv.txt: the extraargs= line, made when absent.
    public static func armbianEnv(_ text: String, adding args: [String]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let i = lines.firstIndex(where: { $0.hasPrefix("extraargs=") }) {
            var words = lines[i].dropFirst("extraargs=".count).split(separator: " ").map(String.init)
            for a in args where !words.contains(a) { words.append(a) }
            lines[i] = "extraargs=" + words.joined(separator: " ")
        } else {
            if lines.last == "" { lines.removeLast() }
            lines.append("extraargs=" + args.joined(separator: " "))
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}

extension Substring {
    var trimmingQuotes: String { String(self.filter { $0 != "\"" }) }
}
