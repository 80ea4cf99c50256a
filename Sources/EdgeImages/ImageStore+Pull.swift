import EdgeAPI

extension ImageStore {
    /// Pulls from an OCI distribution registry: resolves the tag, picks the
    /// platform's manifest from an index, fetches the config, downloads only the
    /// layers not already unpacked, verifying every digest. `credentials` are
    /// tried in order when the registry asks for authentication.
    public func pull(_ reference: String, platform: ImagePlatform = .host, credentials: [RegistryCredential] = []) async throws -> StoredImage {
        let ref: ImageReference
        do { ref = try ImageReference.parse(reference) } catch { throw ImageError("pull \(reference): \(error)") }
        let what = "pull \(ref)"
        var downloads: [String] = []
        defer { for path in downloads { try? Posix.removeTree(path) } }
        do {
            let client = try RegistryClient(reference: ref, credentials: credentials)
            var (bytes, contentType, digest) = try await client.manifest(ref.manifestReference)
            var document = try ManifestDocument.parse(bytes, contentType: contentType, what: what)
            var offered: [ImagePlatform] = []
            if case .index(let entries) = document {
                offered = ManifestDocument.platforms(entries)
                let chosen = try ManifestDocument.select(entries, for: platform, what: what)
                (bytes, contentType, digest) = try await client.manifest(chosen.digest)
                document = try ManifestDocument.parse(bytes, contentType: contentType, what: what)
            }
            guard case .manifest(let configDescriptor, let layerDescriptors) = document else {
                throw ImageError("\(what): the index points at another index; nested indexes are not supported")
            }
            let configBytes = try await client.blob(configDescriptor)
            let config = try ImageConfigDocument(configBytes, what: what)
            guard config.diffIDs.count == layerDescriptors.count else {
                throw ImageError("\(what): manifest lists \(layerDescriptors.count) layers but the config has \(config.diffIDs.count) diff ids")
            }
            if !config.platform.architecture.isEmpty, platform.matchScore(config.platform) == nil {
                throw ImageError("\(what): the image is built for \(config.platform), this node is \(platform); pull a multi-platform tag or one built for \(platform)")
            }
            var layers: [ImageContent.Layer] = []
            for (descriptor, diffID) in zip(layerDescriptors, config.diffIDs) {
                if self.layers.contains(diffID) {
                    layers.append(ImageContent.Layer(blobPath: nil, blobDigest: descriptor.digest))
                    continue
                }
                let dir = try Posix.makeTemporaryDirectory(in: temporary, prefix: "pull-")
                downloads.append(dir)
                let path = dir + "/blob"
                try await client.download(descriptor, to: path)
                layers.append(ImageContent.Layer(blobPath: path, blobDigest: descriptor.digest))
            }
            let content = ImageContent(configBytes: configBytes, configDigest: configDescriptor.digest,
                                       manifestBytes: bytes, manifestDigest: digest, layers: layers, references: [ref.description],
                                       offeredPlatforms: offered)
            return try commit(content, platform: platform, what: what)
        } catch let error as ImageError where error.description.hasPrefix(what) {
            throw error
        } catch {
            throw ImageError("\(what): \(error)")
        }
    }
}
