#if canImport(Glibc)
import Glibc
#endif

/// A container's root filesystem: the image's unpacked layers as read-only
/// overlayfs lower layers (shared by every container of the image) and a fresh
/// upper layer of its own for what it writes.
public enum OverlayRootfs {
    /// Mounts at dir/rootfs with dir/upper and dir/work; layers lowest first.
    public static func mount(layers: [String], in dir: String) throws -> String {
        let target = dir + "/rootfs"
        for d in [target, dir + "/upper", dir + "/work"] { try PosixFile.makeDirectories(d) }
        guard !layers.isEmpty else { throw ContainerRunner.Failure(description: "the image has no layers") }
        // overlayfs lists the top layer first.
        let options = "lowerdir=\(layers.reversed().joined(separator: ":")),upperdir=\(dir)/upper,workdir=\(dir)/work"
        guard options.utf8.count < 4000 else { throw ContainerRunner.Failure(description: "too many image layers for one overlay mount") }
        if isMounted(target) { return target }
        guard Glibc.mount("overlay", target, "overlay", 0, options) == 0 else {
            throw ContainerRunner.Failure(description: "failed to mount the container's overlay root on \(target): \(String(cString: strerror(errno)))")
        }
        return target
    }

    public static func unmount(in dir: String) {
        let target = dir + "/rootfs"
        while isMounted(target) { if umount2(target, Int32(MNT_DETACH)) != 0 { break } }
    }

    /// A mount point differs in device from its parent directory.
    static func isMounted(_ path: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(path, &a) == 0, stat(path + "/..", &b) == 0 else { return false }
        return a.st_dev != b.st_dev
    }
}
