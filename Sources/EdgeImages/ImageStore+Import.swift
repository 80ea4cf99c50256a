import EdgeAPI

extension ImageStore {
    /// Imports every image for `platform` from an OCI image layout (a directory,
    /// or a tar of one, optionally gzipped) or a docker-archive tar (`docker
    /// save`, `skopeo copy ... docker-archive:`). `reference` names the image
    /// when the archive holds exactly one; otherwise names come from the archive
    /// (OCI `io.containerd.image.name`, or a full `org.opencontainers.image.ref.name`; docker RepoTags).
    public func importArchive(_ path: String, reference: String? = nil, platform: ImagePlatform = .host) throws -> [StoredImage] {
        let what = "import \(path)"
        var override: String?
        if let reference {
            do { override = try ImageReference.parse(reference).description } catch { throw ImageError("\(what): \(error)") }
        }
        guard Posix.exists(path) else { throw ImageError("\(what): no such file or directory") }
        if Posix.isDirectory(path) {
            return try importDirectory(path, override: override, platform: platform, what: what)
        }
        let work = try Posix.makeTemporaryDirectory(in: temporary, prefix: "import-")
        defer { try? Posix.removeTree(work) }
        do {
            let file = try FileStream(path: path)
            let prefix = try FileStream(path: path).readPrefix(2)
            let tar: ByteStream = GzipStream.isGzip(prefix) ? try GzipStream(file, name: path) : file
            var unpacker = LayerUnpacker(root: work, privileged: false)
            try unpacker.unpack(TarReader(tar))
        } catch {
            throw ImageError("\(what): not a readable tar archive (\(error))")
        }
        return try importDirectory(work, override: override, platform: platform, what: what)
    }

    private func importDirectory(_ dir: String, override: String?, platform: ImagePlatform, what: String) throws -> [StoredImage] {
        let contents: [ImageContent]
        if Posix.exists(dir + "/index.json") {
            contents = try readLayout(dir, platform: platform, what: what)
        } else if Posix.exists(dir + "/manifest.json") {
            contents = try readDockerArchive(dir, platform: platform, what: what)
        } else {
            throw ImageError("\(what): neither an OCI image layout (index.json, oci-layout) nor a docker-archive (manifest.json)")
        }
        var named = contents
        if let override {
            guard contents.count == 1 else {
                throw ImageError("\(what): the archive holds \(contents.count) images for \(platform); a name can be given only for one")
            }
            named[0].references = [override]
        }
        return try named.map { try commit($0, platform: nil, what: what) }
    }

    // MARK: - OCI image layout

    private func readLayout(_ dir: String, platform: ImagePlatform, what: String) throws -> [ImageContent] {
        guard case .index(let entries) = try ManifestDocument.parse(try Posix.readFile(dir + "/index.json"), contentType: nil, what: what) else {
            throw ImageError("\(what): index.json is not an image index")
        }
        var contents: [ImageContent] = []
        var skipped: [String] = []
        for entry in entries {
            var manifest = entry
            // Top-level manifests under one name are that name's platforms, as a nested index's entries are.
            let names = Self.names(from: entry.annotations)
            var offered = ManifestDocument.platforms(entries.filter { !MediaType.isIndex($0.mediaType) && Self.names(from: $0.annotations) == names })
            if MediaType.isIndex(entry.mediaType) {
                guard case .index(let platforms) = try ManifestDocument.parse(try layoutBlob(dir, entry, what: what), contentType: nil, what: what) else {
                    throw ImageError("\(what): \(entry.digest) is not an image index")
                }
                offered = ManifestDocument.platforms(platforms)
                manifest = try ManifestDocument.select(platforms, for: platform, what: what)
            } else if let p = entry.platform, platform.matchScore(p) == nil {
                skipped.append(p.description)
                continue
            }
            let manifestBytes = try layoutBlob(dir, manifest, what: what)
            guard case .manifest(let config, let layers) = try ManifestDocument.parse(manifestBytes, contentType: nil, what: what) else {
                throw ImageError("\(what): \(manifest.digest) is not an image manifest")
            }
            let configBytes = try layoutBlob(dir, config, what: what)
            let document = try ImageConfigDocument(configBytes, what: what)
            if !document.platform.architecture.isEmpty, platform.matchScore(document.platform) == nil {
                skipped.append(document.platform.description)
                continue
            }
            contents.append(ImageContent(
                configBytes: configBytes, configDigest: config.digest, manifestBytes: manifestBytes, manifestDigest: manifest.digest,
                layers: try layers.map { ImageContent.Layer(blobPath: try layoutBlobPath(dir, $0.digest), blobDigest: $0.digest) },
                references: names, offeredPlatforms: offered))
        }
        guard !contents.isEmpty else {
            throw ImageError("\(what): no image for \(platform) in the layout (found: \(skipped.isEmpty ? "none" : skipped.joined(separator: ", ")))")
        }
        return contents
    }

    private func layoutBlobPath(_ dir: String, _ digest: String) throws -> String {
        dir + "/blobs/sha256/" + (try Digest.hex(digest))
    }

    /// A small blob of the layout, checked against its descriptor.
    private func layoutBlob(_ dir: String, _ d: Descriptor, what: String) throws -> [UInt8] {
        let path = try layoutBlobPath(dir, d.digest)
        guard Posix.exists(path) else { throw ImageError("\(what): blob \(d.digest) is missing from the layout") }
        let bytes = try Posix.readFile(path)
        do {
            try RegistryClient.verify(digest: SHA256.digest(bytes), size: Int64(bytes.count), against: d)
        } catch {
            throw ImageError("\(what): \(error)")
        }
        return bytes
    }

    /// containerd's full-name annotation first; ref.name only when it is a whole
    /// reference (skopeo and most tools store a bare tag there, which names nothing).
    static func names(from annotations: [String: String]) -> [String] {
        if let full = annotations["io.containerd.image.name"], let r = try? ImageReference.parse(full) { return [r.description] }
        if let name = annotations["org.opencontainers.image.ref.name"], name.contains("/") || name.contains("@"),
           let r = try? ImageReference.parse(name) {
            return [r.description]
        }
        return []
    }

    // MARK: - docker-archive

    private func readDockerArchive(_ dir: String, platform: ImagePlatform, what: String) throws -> [ImageContent] {
        let json: JSON
        do { json = try JSONParser.parse(try Posix.readFile(dir + "/manifest.json")) } catch {
            throw ImageError("\(what): manifest.json is not valid JSON (\(error))")
        }
        guard let entries = json.array, !entries.isEmpty else { throw ImageError("\(what): manifest.json lists no images") }
        return try entries.map { entry in
            guard let configPath = entry["Config"]?.string, let layerPaths = entry["Layers"]?.array?.compactMap(\.string) else {
                throw ImageError("\(what): manifest.json entry lacks Config or Layers")
            }
            let configBytes = try Posix.readFile(try Self.inside(dir, configPath, what: what))
            let document = try ImageConfigDocument(configBytes, what: what)
            if !document.platform.architecture.isEmpty, platform.matchScore(document.platform) == nil {
                throw ImageError("\(what): the image is built for \(document.platform), this node is \(platform)")
            }
            let layers = try layerPaths.map { p -> ImageContent.Layer in
                // docker 25+ writes layers as OCI blobs; their names are their digests.
                let digest = p.hasPrefix("blobs/sha256/") ? "sha256:" + p.dropFirst("blobs/sha256/".count) : nil
                return ImageContent.Layer(blobPath: try Self.inside(dir, p, what: what), blobDigest: digest.flatMap { Digest.isValid($0) ? $0 : nil })
            }
            let tags = entry["RepoTags"]?.array?.compactMap(\.string).compactMap { try? ImageReference.parse($0).description } ?? []
            return ImageContent(configBytes: configBytes, configDigest: SHA256.digest(configBytes), manifestBytes: nil,
                                manifestDigest: nil, layers: layers, references: tags)
        }
    }

    /// A path named inside an archive, refused if it would leave the archive's directory.
    private static func inside(_ dir: String, _ relative: String, what: String) throws -> String {
        let parts = try LayerUnpacker.components(of: relative)
        guard !parts.isEmpty, !relative.hasPrefix("/") else { throw ImageError("\(what): archive names an invalid path \(relative)") }
        let path = dir + "/" + parts.joined(separator: "/")
        guard Posix.exists(path) else { throw ImageError("\(what): \(relative) is missing from the archive") }
        return path
    }
}
