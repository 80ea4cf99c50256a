#if canImport(Glibc)
import Glibc
#endif

/// The WAL file is given its full size when the store opens, so commits overwrite blocks the file already
/// has instead of appending to it. Appending to a file costs the filesystem more than the data: on ext4 each
/// commit to a growing file dirtied the block bitmap and the inode again, 1-4 KiB a commit on top of the
/// frames (docs/BENCHMARKS.md, flash-friendly writes), which on an idle server is most of what a Lease
/// renewal costs the card beyond its own pages. Before, the WAL grew from nothing for its first 1,000 frames
/// after every start and after every compaction that found it past the checkpointer's threshold, so an idle
/// node spent most of its life in that costly phase.
///
/// The zeros are never taken for frames: SQLite reads a WAL only as far as its frames' checksums and salts
/// hold, so bytes past the last commit (zeros here, or a previous cycle's frames as usual) end the log.
extension SQLiteBackend {
    /// Bytes of the WAL file kept between checkpoints: its header, the checkpointer's threshold in frames,
    /// and room for the commit that crosses the threshold (the checkpoint runs after it).
    static func preparedWALBytes(thresholdPages: Int32, pageSize: Int64) -> Int64 {
        32 + (Int64(thresholdPages) + 64) * (pageSize + 24)
    }

    /// Extends the WAL file at `walPath` with zeros up to `bytes` and makes that durable; nothing when it is
    /// already that long or absent. Written a page at a time: a large write would leave the page cache holding
    /// the file in large folios, and the kernel then counts (and may write back) a whole folio for every
    /// small commit into it. Best effort: a store whose WAL could not be prepared works as before, so a
    /// failure (a disk too full for it) is only reported.
    static func prepareWALFile(_ walPath: String, bytes: Int64) -> Int32? {
        let fd = open(walPath, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? nil : errno }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return errno }
        var offset = Int64(st.st_size)
        guard offset < bytes else { return nil }
        let page: Int64 = 4096
        let zeros = [UInt8](repeating: 0, count: Int(page))
        while offset < bytes {
            // Up to the next page boundary first, then whole pages.
            let length = min(page - offset % page, bytes - offset)
            let n = zeros.withUnsafeBytes { pwrite(fd, $0.baseAddress, Int(length), off_t(offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += Int64(n)
        }
        return fdatasync(fd) == 0 ? nil : errno
    }

    /// Gives the WAL its prepared size (see above), unless the disk-full alarm is up: then the room is the
    /// deletes'.
    func prepareWAL() {
        guard !space.alarmed else { return }
        if let e = Self.prepareWALFile(path + "-wal", bytes: walBytes) {
            log.warning("could not give the write-ahead log \(path)-wal its size ahead of the writes (errno \(e)): it grows as commits come")
        }
    }
}
