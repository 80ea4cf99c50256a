#if canImport(Glibc)
import Glibc
#endif

/// A throwaway root filesystem: busybox-static with its applets linked in /bin.
enum BusyboxRootfs {
    struct Failure: Error { let what: String }

    static func make() throws -> String {
        var template = Array("/tmp/edgectl-rootfs-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template).map({ String(cString: $0) }) else { throw Failure(what: "mkdtemp") }
        chmod(dir, 0o755) // a root directory others may traverse, as in any image
        for d in ["bin", "proc", "dev", "sys", "tmp", "mnt", "etc"] { mkdir(dir + "/" + d, 0o755) }
        guard system("cp /bin/busybox \(dir)/bin/busybox && for a in $(/bin/busybox --list); do [ $a = busybox ] || ln -sf busybox \(dir)/bin/$a; done && echo box > \(dir)/etc/hostname") == 0 else {
            throw Failure(what: "installing busybox into \(dir)")
        }
        return dir
    }

    static func remove(_ dir: String) { _ = system("rm -rf \(dir)") }
}
