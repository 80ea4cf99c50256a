import EdgeAPI

/// A manifest or index as fetched: which of the two it is decides whether a
/// platform must be chosen before there are layers to fetch.
enum ManifestDocument {
    case index([Descriptor])
    case manifest(config: Descriptor, layers: [Descriptor])

    /// `contentType` is the registry's Content-Type (nil for files); the
    /// document's own mediaType wins when present, and shape decides otherwise.
    static func parse(_ bytes: [UInt8], contentType: String?, what: String) throws -> ManifestDocument {
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch {
            throw ImageError("\(what): manifest is not valid JSON (\(error))")
        }
        if json["schemaVersion"]?.int == 1 || contentType?.hasPrefix(MediaType.dockerSchema1) == true {
            throw ImageError("\(what): Docker schema 1 manifests are not supported; push the image again with a current docker, buildah or skopeo")
        }
        let declared = json["mediaType"]?.string ?? contentType.map { String($0.split(separator: ";")[0]).trimmingSpaces } ?? ""
        if MediaType.isIndex(declared) || (json["manifests"] != nil && json["layers"] == nil) {
            guard let entries = json["manifests"]?.array else { throw ImageError("\(what): image index has no manifests") }
            return .index(try entries.map { try Descriptor($0, in: what) })
        }
        if MediaType.isManifest(declared) || json["layers"] != nil || declared.isEmpty {
            guard let config = json["config"], let layers = json["layers"]?.array else {
                throw ImageError("\(what): image manifest lacks config or layers")
            }
            return .manifest(config: try Descriptor(config, in: what), layers: try layers.map { try Descriptor($0, in: what) })
        }
        throw ImageError("\(what): unsupported manifest media type \(declared)")
    }

    /// The image platforms an index offers, in its order, without duplicates or the
    /// "unknown/unknown" entries build attestations use.
    static func platforms(_ entries: [Descriptor]) -> [ImagePlatform] {
        var out: [ImagePlatform] = []
        for p in entries.compactMap(\.platform) where p.os != "unknown" && p.architecture != "unknown" && !out.contains(p) {
            out.append(p)
        }
        return out
    }

    /// The index entry for `platform`: best match wins, the first of equals.
    /// Attestation and other non-image entries have no matching platform and drop out.
    static func select(_ entries: [Descriptor], for platform: ImagePlatform, what: String) throws -> Descriptor {
        var best: (Descriptor, Int)?
        for entry in entries {
            guard let p = entry.platform, let score = platform.matchScore(p) else { continue }
            if best == nil || score > best!.1 { best = (entry, score) }
        }
        guard let chosen = best?.0 else {
            let offered = entries.compactMap { $0.platform?.description }.filter { $0 != "unknown/unknown" }
            throw ImageError("\(what): no image for platform \(platform) in the index (it has: \(offered.isEmpty ? "none" : offered.joined(separator: ", ")))")
        }
        return chosen
    }
}
