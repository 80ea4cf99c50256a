/// Reads a board profile: one `key: value` per line, `#` starts a comment line, blank lines
/// are ignored. Lists are comma-separated; `model`, `storage` and `quirk` may repeat.
/// Unknown or repeated keys are errors, so a typo in a profile fails its test instead of
/// silently dropping a fact.
public enum BoardProfileParser {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    static let repeatable: Set<String> = ["model", "storage", "quirk"]
    static let known: Set<String> = [
        "name", "title", "model", "arch", "soc", "cpu", "cores", "memory", "boot-partition", "boot-mount", "boot-files",
        "kernel-args", "kernel-args-file", "reserved-memory", "eviction-memory-available", "eviction-nodefs-available",
        "eviction-imagefs-available", "thermal-zone", "thermal-limit", "thermal-critical", "throttle-flags", "storage", "quirk",
    ]
    static let architectures: Set<String> = ["arm64", "arm", "amd64"]

    public static func parse(_ text: String, source: String) throws -> BoardProfile {
        var single: [String: (value: String, line: Int)] = [:]
        var lists: [String: [String]] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw Failure(description: "\(source):\(index + 1): expected `key: value`, got \(line)")
            }
            let key = String(line[..<colon]).trimmingSpaces
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            guard known.contains(key) else { throw Failure(description: "\(source):\(index + 1): unknown key \(key)") }
            guard !value.isEmpty else { throw Failure(description: "\(source):\(index + 1): \(key) has no value") }
            if repeatable.contains(key) {
                lists[key, default: []].append(value)
            } else {
                if let first = single[key] {
                    throw Failure(description: "\(source):\(index + 1): \(key) repeats the one on line \(first.line)")
                }
                single[key] = (value, index + 1)
            }
        }
        func required(_ key: String) throws -> String {
            guard let v = single[key]?.value else { throw Failure(description: "\(source): missing \(key)") }
            return v
        }
        func list(_ key: String) -> [String] {
            (single[key]?.value ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        }
        func percent(_ key: String, default d: Int64) throws -> Int64 {
            guard let v = single[key]?.value else { return d }
            guard v.hasSuffix("%"), let p = Int64(v.dropLast()), (1...50).contains(p) else {
                throw Failure(description: "\(source): \(key) must be a percentage 1-50%, got \(v)")
            }
            return p
        }
        func celsius(_ key: String) throws -> Int {
            let v = try required(key)
            guard let c = Int(v), (40...125).contains(c) else { throw Failure(description: "\(source): \(key) must be 40-125 (°C), got \(v)") }
            return c
        }

        let name = try required("name")
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw Failure(description: "\(source): name must be lower-case letters, digits and '-', got \(name)")
        }
        let arch = list("arch")
        guard !arch.isEmpty, arch.allSatisfy(architectures.contains) else {
            throw Failure(description: "\(source): arch must list arm64, arm or amd64, got \(single["arch"]?.value ?? "nothing")")
        }
        // `any` (0 cores, no memory variants) is for the generic profiles.
        let coresText = try required("cores")
        let cores = coresText == "any" ? 0 : (Int(coresText) ?? -1)
        guard (0...256).contains(cores) else { throw Failure(description: "\(source): cores must be 1-256 or any, got \(coresText)") }
        var memory: [Int64] = []
        if try required("memory") != "any" {
            for m in list("memory") {
                guard let b = ByteSize.parse(m), b > 0 else { throw Failure(description: "\(source): memory variant \(m) is not a size like 1Gi") }
                memory.append(b)
            }
        }
        let bootPartition = single["boot-partition"]?.value ?? "none"
        guard ["fat", "none"].contains(bootPartition) else {
            throw Failure(description: "\(source): boot-partition must be fat or none, got \(bootPartition)")
        }
        guard let reserved = ReservedMemory(try required("reserved-memory")) else {
            throw Failure(description: "\(source): reserved-memory must look like 128Mi + 5%")
        }
        guard let eviction = ByteSize.parse(try required("eviction-memory-available")), eviction > 0 else {
            throw Failure(description: "\(source): eviction-memory-available must be a size like 100Mi")
        }
        let throttle = single["throttle-flags"]?.value ?? "none"
        guard ["raspberrypi", "none"].contains(throttle) else {
            throw Failure(description: "\(source): throttle-flags must be raspberrypi or none, got \(throttle)")
        }
        let kernelArgs = (single["kernel-args"]?.value ?? "").split(separator: " ").map(String.init)
        let kernelArgFiles = list("kernel-args-file")
        guard kernelArgs.isEmpty || !kernelArgFiles.isEmpty else {
            throw Failure(description: "\(source): kernel-args needs kernel-args-file (where they go)")
        }
        let limit = try celsius("thermal-limit"), critical = try celsius("thermal-critical")
        guard limit < critical else { throw Failure(description: "\(source): thermal-limit must be below thermal-critical") }
        return BoardProfile(
            name: name, title: try required("title"), models: lists["model"] ?? [], architectures: arch, soc: try required("soc"),
            cpu: try required("cpu"), cores: cores, memoryVariants: memory, bootPartition: bootPartition,
            bootMounts: list("boot-mount"), bootFiles: list("boot-files"), kernelArguments: kernelArgs, kernelArgumentFiles: kernelArgFiles,
            reservedMemory: reserved, evictionMemoryAvailable: eviction,
            evictionNodefsAvailablePercent: try percent("eviction-nodefs-available", default: 10),
            evictionImagefsAvailablePercent: try percent("eviction-imagefs-available", default: 15),
            thermalZone: single["thermal-zone"]?.value, thermalLimitCelsius: limit, thermalCriticalCelsius: critical,
            throttleFlags: throttle, storage: lists["storage"] ?? [], quirks: lists["quirk"] ?? [])
    }
}
