import EdgeAPI

/// The image config blob: the platform it was built for, the diff ids of its
/// layers (digests of the uncompressed tars, checked while unpacking), and how to run it.
struct ImageConfigDocument: Sendable {
    var platform: ImagePlatform
    var diffIDs: [String]
    var config: ImageConfig

    init(_ bytes: [UInt8], what: String) throws {
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch { throw ImageError("\(what): image config is not valid JSON (\(error))") }
        platform = ImagePlatform(os: json["os"]?.string ?? "", architecture: json["architecture"]?.string ?? "",
                                 variant: json["variant"]?.string.flatMap { $0.isEmpty ? nil : $0 })
        guard let ids = json[path: ["rootfs", "diff_ids"]]?.array else { throw ImageError("\(what): image config has no rootfs.diff_ids") }
        diffIDs = try ids.map {
            guard let s = $0.string else { throw ImageError("\(what): image config has a non-string diff id") }
            _ = try Digest.hex(s)
            return s
        }
        config = ImageConfig(imageConfig: json["config"])
    }
}
