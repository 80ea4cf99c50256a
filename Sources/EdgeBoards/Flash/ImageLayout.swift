/// What an OS image holds, found from its partitions and files: the boot partition (FAT) and its
/// kind, the root filesystem, the OS, its architecture, whether it boots with cloud-init.
public struct ImageLayout: Sendable {
    public enum BootStyle: String, Sendable {
        /// Raspberry Pi firmware: cmdline.txt and config.txt on a FAT partition.
        case raspberryPi = "Raspberry Pi (cmdline.txt, config.txt)"
        /// Hardkernel's U-Boot: boot.ini on a FAT partition.
        case hardkernel = "Hardkernel (boot.ini on the FAT boot partition)"
        /// Armbian: /boot/armbianEnv.txt in the root filesystem.
        case armbian = "Armbian (/boot/armbianEnv.txt)"
        /// Anything else (UEFI/GRUB): no boot files edgectl changes.
        case generic = "generic (no boot files changed)"
    }

    public var table: PartitionTable
    public var boot: Partition?
    public var root: Partition
    public var style: BootStyle
    public var cloudInit: Bool
    public var os: String
    /// GOARCH of the image's userland; nil when no executable was found to tell.
    public var architecture: String?

    public static func inspect(_ image: ImageFile) throws -> ImageLayout {
        let table = try PartitionTable.read(image)
        let kinds = table.partitions.map { ($0, FilesystemProbe.probe(image, $0)) }
        let fats = kinds.filter { $0.1 == .fat }.map(\.0)
        let exts = kinds.filter { $0.1 == .ext4 }.map(\.0)
        // The root filesystem: an ext4 partition with /etc/os-release (/usr/lib/os-release on merged systems).
        var root: Partition?
        for p in exts.sorted(by: { $0.size > $1.size }) {
            let v = Ext4Volume(image: image.path, offset: p.offset)
            if try v.exists("/etc/os-release") || v.exists("/usr/lib/os-release") { root = p; break }
        }
        guard let root else {
            throw FlashSettings.Failure(description: "\(image.path) has no Linux root filesystem (an ext4 partition with /etc/os-release); partitions: "
                + table.partitions.map { "\($0.number): \($0.kind.rawValue) \($0.size >> 20) MiB" }.joined(separator: ", "))
        }
        let rootFS = Ext4Volume(image: image.path, offset: root.offset)
        var boot: Partition?, style = BootStyle.generic
        for p in fats {
            let files = Set(try FATVolume(image: image.path, offset: p.offset).files().map { $0.lowercased() })
            if files.contains("/cmdline.txt") { boot = p; style = .raspberryPi; break }
            if files.contains("/boot.ini") { boot = p; style = .hardkernel; break }
            if boot == nil { boot = p }
        }
        if style == .generic, try rootFS.exists("/boot/armbianEnv.txt") { style = .armbian }
        var bootHasSeed = false
        if let b = boot {
            let files = try FATVolume(image: image.path, offset: b.offset).files().map { $0.lowercased() }
            bootHasSeed = files.contains("/user-data") || files.contains("/meta-data") || files.contains("/network-config")
        }
        let cloudInit = try bootHasSeed && rootFS.exists("/etc/cloud/cloud.cfg")
        let release = try rootFS.read("/usr/lib/os-release") ?? (try rootFS.read("/etc/os-release")) ?? []
        var os = "Linux"
        for line in String(decoding: release, as: UTF8.self).split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            os = String(line.dropFirst("PRETTY_NAME=".count)).filter { $0 != "\"" }
        }
        var arch: String?
        for candidate in ["/usr/bin/env", "/usr/bin/dpkg", "/bin/busybox", "/usr/bin/busybox", "/bin/sh"] {
            if let bytes = try rootFS.read(candidate), let a = ELFHeader.architecture(Array(bytes.prefix(64))) { arch = a; break }
        }
        return ImageLayout(table: table, boot: boot, root: root, style: style, cloudInit: cloudInit, os: os, architecture: arch)
    }
}
