import CZlib

/// MBR and GPT partition tables, parsed from an image that may be anything (a truncated download,
/// a hostile file): every field is range-checked and a table that points outside the image, has
/// overlapping entries or fails its CRC is refused with the reason.
public struct PartitionTable: Sendable, Equatable {
    public enum Scheme: String, Sendable { case mbr, gpt }

    public var scheme: Scheme
    public var partitions: [Partition]

    public struct Failure: Error, CustomStringConvertible, Equatable { public var description: String }

    static let sector: Int64 = 512
    static let efiSystemGUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
    static let basicDataGUID = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
    static let linuxGUIDs: Set<String> = ["0FC63DAF-8483-4772-8E79-3D69D8477DE4", "B921B045-1DF0-41C3-AF44-4C6F280D3FAE",
                                          "69DAD710-2CE4-4E3C-B16C-21A1D49ABED3", "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"]

    public static func read(_ image: ImageFile) throws -> PartitionTable {
        guard image.size >= 1024, let mbr = image.read(at: 0, count: 512) else {
            throw Failure(description: "\(image.path) is too small to hold a partition table (\(image.size) bytes)")
        }
        guard mbr[510] == 0x55, mbr[511] == 0xAA else {
            throw Failure(description: "\(image.path) has no partition table (no MBR signature): is it a disk image, not a single filesystem or an archive?")
        }
        let types = (0..<4).map { mbr[446 + $0 * 16 + 4] }
        if types.contains(0xEE) { return try gpt(image) }
        var parts: [Partition] = []
        for i in 0..<4 {
            let e = 446 + i * 16
            let type = mbr[e + 4]
            guard type != 0 else { continue }
            let start = Int64(mbr.le32(e + 8)) * sector, size = Int64(mbr.le32(e + 12)) * sector
            guard start > 0, size > 0 else { throw Failure(description: "partition \(i + 1) has an empty extent") }
            guard start <= image.size, size <= image.size - start else {
                throw Failure(description: "partition \(i + 1) ends at byte \(start + size), past the end of the image (\(image.size) bytes): the image is truncated or corrupt")
            }
            let kind: Partition.Kind
            switch type {
            case 0x01, 0x04, 0x06, 0x0b, 0x0c, 0x0e: kind = .fat
            case 0xef: kind = .efi
            case 0x83: kind = .linux
            case 0x05, 0x0f, 0x85: continue  // extended: OS images for boards do not use logical partitions
            default: kind = .other
            }
            parts.append(Partition(number: i + 1, offset: start, size: size, kind: kind, type: "0x" + String(type, radix: 16)))
        }
        try checkOverlap(parts)
        return PartitionTable(scheme: .mbr, partitions: parts)
    }

    static func gpt(_ image: ImageFile) throws -> PartitionTable {
        guard var header = image.read(at: sector, count: 512), Array(header[0..<8]) == Array("EFI PART".utf8) else {
            throw Failure(description: "protective MBR but no GPT header at sector 1")
        }
        // Range-checked as the UInt32 it is: Int(UInt32) traps above Int32.max where Int is 32 bits.
        let rawHeaderSize = header.le32(12)
        guard (92...512).contains(rawHeaderSize) else { throw Failure(description: "GPT header size \(rawHeaderSize) is invalid") }
        let headerSize = Int(rawHeaderSize)
        let headerCRC = header.le32(16)
        header[16] = 0; header[17] = 0; header[18] = 0; header[19] = 0
        guard crc(Array(header[0..<headerSize])) == headerCRC else { throw Failure(description: "GPT header CRC mismatch: the table is corrupt") }
        let entriesLBA = header.le64(72), count = header.le32(80), entrySize = header.le32(84), entriesCRC = header.le32(88)
        guard (1...1024).contains(count), entrySize >= 128, entrySize <= 4096, entrySize % 8 == 0 else {
            throw Failure(description: "GPT has \(count) entries of \(entrySize) bytes: not a table edgectl reads")
        }
        guard entriesLBA >= 2, entriesLBA < UInt64(image.size / sector) else { throw Failure(description: "GPT entries lie outside the image") }
        let total = Int(count) * Int(entrySize)
        guard let entries = image.read(at: Int64(entriesLBA) * sector, count: total) else {
            throw Failure(description: "GPT entries lie outside the image")
        }
        guard crc(entries) == entriesCRC else { throw Failure(description: "GPT entries CRC mismatch: the table is corrupt") }
        var parts: [Partition] = []
        for i in 0..<Int(count) {
            let e = Array(entries[(i * Int(entrySize))..<(i * Int(entrySize) + 128)])
            guard e[0..<16].contains(where: { $0 != 0 }) else { continue }
            let first = e.le64(32), last = e.le64(40)
            guard first >= 1, last >= first, last < UInt64(image.size / sector) else {
                throw Failure(description: "GPT partition \(i + 1) (sectors \(first)-\(last)) lies outside the image (\(image.size / sector) sectors): truncated or corrupt")
            }
            let guid = Self.guid(Array(e[0..<16]))
            let kind: Partition.Kind = guid == efiSystemGUID ? .efi : guid == basicDataGUID ? .fat : linuxGUIDs.contains(guid) ? .linux : .other
            let nameUnits = stride(from: 56, to: 128, by: 2).map { e.le16($0) }.prefix { $0 != 0 }
            parts.append(Partition(number: i + 1, offset: Int64(first) * sector, size: Int64(last - first + 1) * sector, kind: kind,
                                   type: guid, name: String(decoding: Array(nameUnits), as: UTF16.self)))
        }
        try checkOverlap(parts)
        return PartitionTable(scheme: .gpt, partitions: parts)
    }

    static func checkOverlap(_ parts: [Partition]) throws {
        let sorted = parts.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + a.size > b.offset {
            throw Failure(description: "partitions \(a.number) and \(b.number) overlap: the table is corrupt")
        }
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// Mixed-endian GUID text (the first three fields little-endian), upper case.
    static func guid(_ b: [UInt8]) -> String {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined() }
        return [hex(b[0..<4].reversed()), hex(b[4..<6].reversed()), hex(b[6..<8].reversed()), hex(Array(b[8..<10])), hex(Array(b[10..<16]))]
            .joined(separator: "-")
    }
}
