/// What filesystem a partition holds, from its first sectors: FAT (a boot sector with its FAT
/// type string) or ext2/3/4 (the superblock magic at byte 1080). Partition types lie often
/// enough (Raspberry Pi OS marks its FAT partition 0x0c, Armbian its root 0x83) that the bytes decide.
public enum FilesystemProbe {
    public enum Kind: String, Sendable { case fat, ext4, unknown }

    public static func probe(_ image: ImageFile, _ p: Partition) -> Kind {
        guard p.size >= 2048, let head = image.read(at: p.offset, count: 2048) else { return .unknown }
        if head[1080] == 0x53 && head[1081] == 0xEF { return .ext4 }
        let fat16 = String(decoding: head[54..<62], as: UTF8.self), fat32 = String(decoding: head[82..<90], as: UTF8.self)
        if head[510] == 0x55 && head[511] == 0xAA && (fat16.hasPrefix("FAT") || fat32.hasPrefix("FAT")) { return .fat }
        return .unknown
    }
}
