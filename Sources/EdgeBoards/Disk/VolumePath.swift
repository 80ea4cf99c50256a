/// Paths edgectl writes into an image's filesystems: absolute, plain characters only, so they pass
/// through mtools and debugfs command lines unquoted and cannot name anything outside the volume.
enum VolumePath {
    static func check(_ p: String) throws {
        guard p.hasPrefix("/"), p.count < 512, !p.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
              p.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+@".contains($0)) }) else {
            throw ImageFile.Failure(description: "refusing the path \(p) in an image")
        }
    }
}
