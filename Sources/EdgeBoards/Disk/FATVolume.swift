#if canImport(Glibc)
import Glibc
#endif

/// A FAT filesystem inside an image, through mtools (this kernel cannot mount vfat, and edgectl
/// needs no mount anyway): `image@@offset` addresses the partition in place.
public struct FATVolume: Sendable {
    public let image: String
    public let offset: Int64

    public init(image: String, offset: Int64) {
        self.image = image
        self.offset = offset
    }

    var target: String { "\(image)@@\(offset)" }
    static let environment = ["MTOOLS_SKIP_CHECK": "1"]

    func mtools(_ args: [String], input: [UInt8] = []) throws -> Subprocess.Result {
        try Subprocess.run(args, input: input, environment: Self.environment)
    }

    /// Every file's path (`/cmdline.txt`, `/overlays/x.dtbo`), directories left out.
    public func files() throws -> [String] {
        let r = try mtools(["mdir", "-/", "-b", "-i", target, "::/"])
        guard r.succeeded || r.output.isEmpty == false else {
            throw ImageFile.Failure(description: "cannot read the FAT filesystem at byte \(offset) of \(image): \(r.errorText)")
        }
        return r.output.split(separator: "\n").map { String($0.dropFirst(2)) }.filter { !$0.hasSuffix("/") && !$0.isEmpty }
    }

    /// The file's bytes, or nil when it does not exist.
    public func read(_ path: String) throws -> [UInt8]? {
        try VolumePath.check(path)
        let r = try mtools(["mcopy", "-n", "-i", target, "::" + path, "-"])
        if r.succeeded { return r.stdout }
        if r.errorText.contains("not found") { return nil }
        throw ImageFile.Failure(description: "cannot read \(path) from the FAT filesystem in \(image): \(r.errorText)")
    }

    public func write(_ path: String, _ bytes: [UInt8]) throws {
        try VolumePath.check(path)
        var template = Array("/tmp/edgectl-fat-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ImageFile.Failure(description: "cannot make a temporary file") }
        let tmp = String(cString: template)
        defer { unlink(tmp) }
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let r = try mtools(["mcopy", "-o", "-n", "-i", target, tmp, "::" + path])
        guard r.succeeded else { throw ImageFile.Failure(description: "cannot write \(path) into the FAT filesystem in \(image): \(r.errorText)") }
    }
}
