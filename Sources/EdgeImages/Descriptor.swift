import EdgeAPI

/// An OCI content descriptor: what a manifest or index says about a blob.
struct Descriptor: Sendable, Equatable {
    var mediaType: String
    var digest: String
    var size: Int64
    var platform: ImagePlatform?
    var annotations: [String: String] = [:]

    init(mediaType: String, digest: String, size: Int64, platform: ImagePlatform? = nil, annotations: [String: String] = [:]) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }

    init(_ json: JSON, in what: String) throws {
        guard let digest = json["digest"]?.string else { throw ImageError("\(what): descriptor without a digest") }
        _ = try Digest.hex(digest)
        self.digest = digest
        mediaType = json["mediaType"]?.string ?? ""
        size = json["size"]?.int ?? -1
        if let p = json["platform"], let arch = p["architecture"]?.string {
            platform = ImagePlatform(os: p["os"]?.string ?? "", architecture: arch,
                                     variant: p["variant"]?.string.flatMap { $0.isEmpty ? nil : $0 })
        }
        for (k, v) in json["annotations"]?.object ?? JSONObject() { if let s = v.string { annotations[k] = s } }
    }
}
