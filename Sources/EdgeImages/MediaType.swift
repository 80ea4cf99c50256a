/// The manifest and layer media types the store understands.
enum MediaType {
    static let ociIndex = "application/vnd.oci.image.index.v1+json"
    static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// The Accept header of a manifest request, most specific first.
    static let manifestAccept = [ociIndex, ociManifest, dockerManifestList, dockerManifest].joined(separator: ", ")

    static func isIndex(_ t: String) -> Bool { t == ociIndex || t == dockerManifestList }
    static func isManifest(_ t: String) -> Bool { t == ociManifest || t == dockerManifest }
}
