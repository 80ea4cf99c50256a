/// How `edgectl boards show` and `boards list` print a profile: for people, every fact on its own line.
extension BoardProfile {
    public var coresText: String { cores == 0 ? "any" : String(cores) }
    public var memoryText: String { memoryVariants.isEmpty ? "any" : memoryVariants.map(ByteSize.format).joined(separator: ", ") }

    public var details: String {
        var lines: [(String, String)] = [
            ("Name", name), ("Board", title), ("Architectures", architectures.joined(separator: ", ")), ("SoC", soc), ("CPU", cpu),
            ("Cores", coresText), ("Memory", memoryText),
        ]
        if !models.isEmpty { lines.append(("Detected by", models.map { "/proc/device-tree/model \"\($0)...\"" }.joined(separator: "; "))) }
        if bootPartition == "fat" {
            lines.append(("Boot partition", "FAT, mounted at \(bootMounts.joined(separator: " or ")); files: \(bootFiles.joined(separator: ", "))"))
        }
        lines.append(("Kernel arguments", kernelArguments.isEmpty ? "none needed" : kernelArguments.joined(separator: " ")
                          + " (in \(kernelArgumentFiles.joined(separator: " or ")))"))
        lines.append(("Reserved memory", "\(reservedMemory) (kept from pods for the OS and edgectl)"))
        for m in memoryVariants {
            lines.append(("  on \(ByteSize.format(m))", "reserve \(ByteSize.human(reservedMemory.bytes(capacity: m))), allocatable \(ByteSize.human(allocatableMemory(capacity: m)))"))
        }
        lines.append(("Eviction (hard)", "memory.available<\(ByteSize.format(evictionMemoryAvailable)), nodefs.available<\(evictionNodefsAvailablePercent)%, imagefs.available<\(evictionImagefsAvailablePercent)%"))
        lines.append(("Thermal", "zone \(thermalZone ?? "hottest"); tainted NoSchedule at \(thermalLimitCelsius) °C; SoC limit \(thermalCriticalCelsius) °C"))
        if throttleFlags == "raspberrypi" { lines.append(("Power", "firmware under-voltage and throttling flags (get_throttled) reported as Node conditions")) }
        let width = lines.map { $0.0.count }.max() ?? 0
        var out = lines.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 }
        if !storage.isEmpty { out.append("Storage:"); out += storage.map { "  - " + $0 } }
        if !quirks.isEmpty { out.append("Known quirks:"); out += quirks.map { "  - " + $0 } }
        return out.joined(separator: "\n")
    }
}

extension BoardCatalog {
    /// One row per board: name, architectures, SoC, memory, title.
    public var table: String {
        let rows = [["NAME", "ARCH", "SOC", "MEMORY", "BOARD"]] + profiles.map {
            [$0.name, $0.architectures.joined(separator: ","), $0.soc, $0.memoryText.replacingSpaces, $0.title]
        }
        var widths = [Int](repeating: 0, count: 5)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2) }.joined()
        }.joined(separator: "\n")
    }
}

extension String {
    var replacingSpaces: String { String(filter { $0 != " " }) }
}
