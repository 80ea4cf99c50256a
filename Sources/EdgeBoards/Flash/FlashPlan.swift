/// Every change `edgectl flash` makes to an image, worked out (and every input checked) before
/// anything is written; then applied, and read back.
public struct FlashPlan: Sendable {
    public var layout: ImageLayout
    /// Boot partition files and their new contents.
    public var bootFiles: [(path: String, bytes: [UInt8])] = []
    /// Root filesystem files: path, contents, mode.
    public var rootFiles: [(path: String, bytes: [UInt8], mode: UInt32)] = []
    public var rootDirectories: [(path: String, mode: UInt32)] = []
    public var rootSymlinks: [(path: String, target: String)] = []
    /// Lines for the user: what will change and why.
    public var notes: [String] = []

    public typealias Failure = FlashSettings.Failure

    /// Checks the image against the settings and works out the changes. `instance` makes the
    /// cloud-init instance id unique per flash.
    public static func make(image: ImageFile, settings s: FlashSettings, instance: String) throws -> FlashPlan {
        let binary = HostRoot("/").readBytes(s.binary, limit: 512 << 20)
        guard let binary, let binArch = ELFHeader.architecture(Array(binary.prefix(64))) else {
            throw Failure(description: "\(s.binary) is not an edgectl binary (no ELF header)")
        }
        guard s.board.supports(architecture: binArch) else {
            throw Failure(description: "\(s.binary) is built for \(binArch), but a \(s.board.title) runs \(s.board.architectures.joined(separator: " or ")): "
                + "pass the \(s.board.architectures[0]) binary with --binary (scripts/cross-build makes it)")
        }
        let layout = try ImageLayout.inspect(image)
        if let imageArch = layout.architecture, imageArch != binArch {
            throw Failure(description: "the image's programs are \(imageArch) but the edgectl binary is \(binArch): use the \(imageArch) binary or a \(binArch) image")
        }
        if let imageArch = layout.architecture, !s.board.supports(architecture: imageArch) {
            throw Failure(description: "the image is \(imageArch), which a \(s.board.title) does not run (\(s.board.architectures.joined(separator: ", ")))")
        }
        var plan = FlashPlan(layout: layout)
        plan.notes.append("image: \(layout.os), \(layout.table.scheme.rawValue.uppercased()), boot \(layout.style.rawValue)\(layout.cloudInit ? ", cloud-init" : "")")
        try plan.addKernelArguments(image: image, board: s.board)
        try plan.addRootFiles(image: image, settings: s, binary: binary)
        if layout.cloudInit, let boot = layout.boot {
            plan.bootFiles.append(("/user-data", Array(FirstBootFiles.userData(s).utf8)))
            plan.bootFiles.append(("/meta-data", Array(FirstBootFiles.metaData(s, instance: instance).utf8)))
            plan.bootFiles.append(("/network-config", Array(FirstBootFiles.networkConfig(s).utf8)))
            plan.notes.append("first boot: cloud-init seed (user-data, meta-data, network-config) on partition \(boot.number) starts \(FirstBootFiles.unitName)")
        } else {
            plan.rootDirectories.append(("/etc/systemd/system/multi-user.target.wants", 0o755))
            plan.rootSymlinks.append((FirstBootFiles.wantsPath, FirstBootFiles.unitPath))
            plan.notes.append("first boot: \(FirstBootFiles.unitName) enabled in the root filesystem")
        }
        if s.sshKey != nil, layout.style == .raspberryPi, !layout.cloudInit {
            plan.bootFiles.append(("/ssh", []))  // Raspberry Pi OS enables sshd at boot when this file exists
        }
        return plan
    }

    mutating func addKernelArguments(image: ImageFile, board: BoardProfile) throws {
        let args = board.kernelArguments
        let boot = layout.boot.map { FATVolume(image: image.path, offset: $0.offset) }
        switch layout.style {
        case .raspberryPi:
            guard board.kernelArgumentFiles.contains("cmdline.txt") else {
                throw Failure(description: "this is a Raspberry Pi image (cmdline.txt), not one for a \(board.title)")
            }
            guard !args.isEmpty, let boot else { return }
            let old = String(decoding: try boot.read("/cmdline.txt") ?? [], as: UTF8.self)
            let new = KernelArguments.cmdline(old, adding: args)
            if new != old { bootFiles.append(("/cmdline.txt", Array(new.utf8))); notes.append("cmdline.txt: + \(args.joined(separator: " "))") }
        case .hardkernel:
            guard board.kernelArgumentFiles.contains("boot.ini") else {
                throw Failure(description: "this is a Hardkernel ODROID image (boot.ini), not one for a \(board.title)")
            }
            guard !args.isEmpty, let boot else { return }
            let old = String(decoding: try boot.read("/boot.ini") ?? [], as: UTF8.self)
            let new = try KernelArguments.bootIni(old, adding: args)
            if new != old { bootFiles.append(("/boot.ini", Array(new.utf8))); notes.append("boot.ini: + \(args.joined(separator: " "))") }
        case .armbian:
            guard board.kernelArgumentFiles.contains("/boot/armbianEnv.txt") else {
                throw Failure(description: "this is an Armbian image (/boot/armbianEnv.txt), not one for a \(board.title)")
            }
            guard !args.isEmpty else { return }
            let root = Ext4Volume(image: image.path, offset: layout.root.offset)
            let old = String(decoding: try root.read("/boot/armbianEnv.txt") ?? [], as: UTF8.self)
            let new = KernelArguments.armbianEnv(old, adding: args)
            if new != old { rootFiles.append(("/boot/armbianEnv.txt", Array(new.utf8), 0o644)) }
        case .generic:
            if board.bootPartition == "fat" {
                throw Failure(description: "a \(board.title) boots from a FAT partition with \(board.bootFiles.joined(separator: " or ")), and this image has none: "
                    + "is it an image for this board?")
            }
        }
    }

    mutating func addRootFiles(image: ImageFile, settings s: FlashSettings, binary: [UInt8]) throws {
        let root = Ext4Volume(image: image.path, offset: layout.root.offset)
        rootDirectories += [("/usr/local/bin", 0o755), ("/etc/edgectl", 0o700), ("/etc/systemd/system", 0o755)]
        rootFiles.append((FirstBootFiles.binaryPath, binary, 0o755))
        rootFiles.append((FirstBootFiles.joinEnvPath, Array(FirstBootFiles.joinEnv(s).utf8), 0o600))
        rootFiles.append((FirstBootFiles.unitPath, Array(FirstBootFiles.unit.utf8), 0o644))
        rootFiles.append(("/etc/hostname", Array((s.hostname + "\n").utf8), 0o644))
        let hosts = try root.read("/etc/hosts").map { String(decoding: $0, as: UTF8.self) }
        rootFiles.append(("/etc/hosts", Array(FirstBootFiles.hosts(hosts, hostname: s.hostname).utf8), 0o644))
        if let key = s.sshKey {
            rootDirectories.append(("/root/.ssh", 0o700))
            rootFiles.append(("/root/.ssh/authorized_keys", Array((key + "\n").utf8), 0o600))
        }
        if let w = s.wifi, !layout.cloudInit {
            guard try root.exists("/etc/NetworkManager") else {
                throw Failure(description: "--wifi needs NetworkManager in the image (/etc/NetworkManager) or a cloud-init image; this one has neither")
            }
            rootDirectories.append(("/etc/NetworkManager/system-connections", 0o755))
            rootFiles.append(("/etc/NetworkManager/system-connections/edgectl-wifi.nmconnection",
                              Array(FirstBootFiles.networkManagerWifi(ssid: w.ssid, psk: w.psk).utf8), 0o600))
        }
        notes.append("root filesystem (partition \(layout.root.number)): edgectl binary, join settings (0600), hostname \(s.hostname)"
            + (s.sshKey != nil ? ", root's SSH key" : "") + (s.wifi != nil ? ", Wi-Fi" : ""))
    }

    /// Writes the changes into `imagePath` (a staging copy), then reads every one back.
    public func apply(to imagePath: String) throws {
        if let b = layout.boot, !bootFiles.isEmpty {
            let fat = FATVolume(image: imagePath, offset: b.offset)
            for f in bootFiles { try fat.write(f.path, f.bytes) }
        }
        let root = Ext4Volume(image: imagePath, offset: layout.root.offset)
        var changes = Ext4Volume.Changes()
        for d in rootDirectories { changes.directory(d.path, mode: d.mode) }
        for f in rootFiles { try changes.file(f.path, f.bytes, mode: f.mode) }
        for l in rootSymlinks { try changes.symlink(l.path, to: l.target) }
        try root.apply(changes)
        try verify(imagePath)
    }

    /// Every file written reads back with its contents and mode.
    func verify(_ imagePath: String) throws {
        if let b = layout.boot {
            let fat = FATVolume(image: imagePath, offset: b.offset)
            for f in bootFiles where try fat.read(f.path) != f.bytes {
                throw Failure(description: "\(f.path) on the boot partition did not read back as written")
            }
        }
        let root = Ext4Volume(image: imagePath, offset: layout.root.offset)
        for f in rootFiles {
            guard try root.read(f.path) == f.bytes, let e = try root.entry(f.path), e.mode & 0o7777 == f.mode, e.uid == 0 else {
                throw Failure(description: "\(f.path) in the root filesystem did not read back as written")
            }
        }
    }
}
