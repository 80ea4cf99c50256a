/// The architecture an executable is built for, from its ELF header: edgectl refuses to put an
/// arm64 binary on an armv7 board (it would fail at boot, far from the mistake).
public enum ELFHeader {
    /// Kubernetes architecture names (GOARCH) for the ELF machines edgectl ships: EM_AARCH64, EM_ARM, EM_X86_64.
    public static func architecture(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 20, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else { return nil }
        let littleEndian = bytes[5] == 1
        let machine = littleEndian ? UInt16(bytes[18]) | UInt16(bytes[19]) << 8 : UInt16(bytes[19]) | UInt16(bytes[18]) << 8
        let is64 = bytes[4] == 2
        switch (machine, is64) {
        case (183, true): return "arm64"
        case (40, false): return "arm"
        case (62, true): return "amd64"
        case (3, false): return "386"
        case (243, true): return "riscv64"
        default: return "elf-machine-\(machine)"
        }
    }

    /// The architecture of a file, or nil when it is not an ELF executable.
    public static func architecture(ofFile path: String) -> String? {
        HostRoot("/").readBytes(path, limit: 64).flatMap(architecture)
    }
}
