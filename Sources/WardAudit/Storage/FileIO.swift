#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin POSIX file helpers: the audit log needs exact control over writes and syncs, which
/// Foundation's file APIs do not give.
enum FileIO {
    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> AuditLogError {
        .io(operation: operation, path: path, message: String(cString: strerror(code)))
    }

    /// Creates `path` as a directory with mode 0700 if it does not exist.
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw error("mkdir", path) }
    }

    /// Opens (creating with mode 0600 if needed) for reading and writing.
    static func openReadWrite(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw error("open", path) }
        return fd
    }

    /// Takes an exclusive advisory lock on `fd` without waiting; it is released when the file is
    /// closed or the process ends.
    static func lockExclusively(_ fd: Int32, path: String) throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK {
                throw AuditLogError.io(operation: "lock", path: path, message: "another process has this audit log open")
            }
            throw error("lock", path)
        }
    }

    /// Size of the file at `path`, in bytes.
    static func size(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw error("stat", path) }
        return Int(st.st_size)
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            done += n
        }
    }

    static func syncData(_ fd: Int32, path: String) throws {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw error("fdatasync", path) }
        }
    }

    /// fsync of a directory, so that a file created or renamed in it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw error("fsync", path) }
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws {
        if ftruncate(fd, off_t(length)) != 0 { throw error("truncate", path) }
    }

    /// The file's bytes from `offset` (the whole file by default) to its end, or at most `limit`.
    static func readAll(_ path: String, from offset: Int = 0, limit: Int = .max) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error("open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error("stat", path) }
        var out = [UInt8](repeating: 0, count: min(limit, max(0, Int(st.st_size) - offset)))
        var done = 0
        try out.withUnsafeMutableBytes { buffer in
            while done < buffer.count {
                let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                if n < 0 { if errno == EINTR { continue }; throw error("read", path) }
                if n == 0 { break }
                done += n
            }
        }
        if done < out.count { out.removeLast(out.count - done) }
        return out
    }

    /// Writes a new file atomically-enough for small files: create with `mode`, write, sync.
    static func writeNewFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error("create", path) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try write(fd, $0, at: 0, path: path) }
        if fsync(fd) != 0 { throw error("fsync", path) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }
}

/// A read-only memory map of a whole file; unmapped on deinit. Reading a log this way avoids
/// copying gigabytes through read(2).
final class MappedFile: @unchecked Sendable {
    // Immutable after init; the mapping is read-only, so concurrent readers are safe.
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?
    private let length: Int

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.error("open", path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIO.error("stat", path) }
        length = Int(st.st_size)
        if length == 0 {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw FileIO.error("mmap", path) }
        _ = madvise(p, length, MADV_SEQUENTIAL)
        mapping = p
        bytes = UnsafeRawBufferPointer(start: p, count: length)
    }

    deinit {
        if let mapping { munmap(mapping, length) }
    }
}
