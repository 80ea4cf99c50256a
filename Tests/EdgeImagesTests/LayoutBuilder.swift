import EdgeAPI
@testable import EdgeImages

/// Writes OCI image layouts for tests: layers from tar bytes, a config naming
/// their diff ids, a manifest, and index.json with the given annotations.
struct LayoutBuilder {
    let dir: String
    var indexEntries: [JSON] = []

    init(dir: String) throws {
        self.dir = dir
        try TestFiles.write(dir + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    }

    @discardableResult
    func blob(_ bytes: [UInt8]) throws -> String {
        let digest = SHA256.digest(bytes)
        try TestFiles.write(dir + "/blobs/sha256/" + digest.dropFirst(7), bytes)
        return digest
    }

    struct Built { var manifestDigest: String; var configDigest: String; var manifestSize: Int; var diffIDs: [String]; var layerDigests: [String] }

    /// One image; layers are tars, gzipped when `gzipped`.
    func image(layers: [[UInt8]], architecture: String = ImagePlatform.host.architecture, variant: String? = ImagePlatform.host.variant,
               cmd: [String] = ["sh"], gzipped: Bool = true, scratch: String) throws -> Built {
        var layerDescriptors: [JSON] = []
        var diffIDs: [String] = []
        var layerDigests: [String] = []
        for (i, tar) in layers.enumerated() {
            diffIDs.append(SHA256.digest(tar))
            let blobBytes = gzipped ? try TestFiles.gzip(tar, in: scratch, name: "layer\(i)") : tar
            let digest = try blob(blobBytes)
            layerDigests.append(digest)
            layerDescriptors.append(.obj(["mediaType": .string(gzipped ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.oci.image.layer.v1.tar"),
                                          "digest": .string(digest), "size": .int(Int64(blobBytes.count))]))
        }
        var config: JSON = .obj([
            "architecture": .string(architecture), "os": "linux",
            "config": .obj(["Cmd": .array(cmd.map { .string($0) }), "Env": ["PATH=/bin"], "WorkingDir": "/", "User": "0"]),
            "rootfs": .obj(["type": "layers", "diff_ids": .array(diffIDs.map { .string($0) })]),
        ])
        if let variant { config["variant"] = .string(variant) }
        let configBytes = JSONSerializer.serialize(config)
        let configDigest = try blob(configBytes)
        let manifest: JSON = .obj([
            "schemaVersion": 2, "mediaType": .string(MediaType.ociManifest),
            "config": .obj(["mediaType": "application/vnd.oci.image.config.v1+json", "digest": .string(configDigest), "size": .int(Int64(configBytes.count))]),
            "layers": .array(layerDescriptors),
        ])
        let manifestBytes = JSONSerializer.serialize(manifest)
        return Built(manifestDigest: try blob(manifestBytes), configDigest: configDigest, manifestSize: manifestBytes.count,
                     diffIDs: diffIDs, layerDigests: layerDigests)
    }

    mutating func addToIndex(_ built: Built, name: String?, refName: String = "latest", platform: ImagePlatform? = nil) {
        var annotations = JSONObject()
        if let name { annotations["io.containerd.image.name"] = .string(name) }
        annotations["org.opencontainers.image.ref.name"] = .string(refName)
        var entry: JSON = .obj(["mediaType": .string(MediaType.ociManifest), "digest": .string(built.manifestDigest),
                                "size": .int(Int64(built.manifestSize)), "annotations": .object(annotations)])
        if let platform {
            var p: JSON = .obj(["os": .string(platform.os), "architecture": .string(platform.architecture)])
            if let v = platform.variant { p["variant"] = .string(v) }
            entry["platform"] = p
        }
        indexEntries.append(entry)
    }

    func writeIndex() throws {
        let index: JSON = .obj(["schemaVersion": 2, "mediaType": .string(MediaType.ociIndex), "manifests": .array(indexEntries)])
        try TestFiles.write(dir + "/index.json", JSONSerializer.serialize(index))
    }
}
