import Foundation
import WardAudit
import WardCrypto
import WardProtocol
import WardStore

/// The file work under backups and restores: staging copies, hashes, copies cut at a length,
/// syncing a tree, and the backup thread's lower priority.
extension Backup {
    static let stagingPrefix = ".backup-staging-"

    /// Removes the plaintext staging copies a backup killed midway left in the data directory
    /// (kill -9 runs no `defer`): otherwise they would keep what a later erasure removes. Only
    /// those untouched for six hours, far longer than any backup takes (10 s for 1.46 GB,
    /// docs/PERFORMANCE.md), so a backup running beside this one keeps its own.
    static func removeStaleStaging(in data: DataDirectory) {
        let fm = FileManager.default
        let cutoff = Date().addingTimeInterval(-6 * 3600)
        for name in (try? fm.contentsOfDirectory(atPath: data.path)) ?? [] where name.hasPrefix(stagingPrefix) {
            let path = data.path + "/" + name
            guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff else { continue }
            try? fm.removeItem(atPath: path)
        }
    }

    /// Lowers the calling thread's CPU priority (nice 10; on Linux each thread has its own): a
    /// backup that shares the appliance's cores with the server gives way to it, and takes a few
    /// seconds longer instead of delaying messages (docs/PERFORMANCE.md, `ward-bench backup`).
    /// For a thread that does nothing else afterwards (the schedule's backup thread, the
    /// `ward-server backup` command): it cannot raise its priority again. The thread id is read
    /// from /proc/thread-self, as Swift's Glibc has no gettid().
    public static func yieldToServing() {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
            let thread = link.split(separator: "/").last.flatMap({ id_t($0) })
        else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, 10)
    }

    /// The single files a backup keeps, by their name in it and where they are: the two keys
    /// from the keys directory (`--keys-dir`, or the data directory), the rest from the data directory.
    static func keptFiles(_ data: DataDirectory) -> [(name: String, path: String)] {
        [("audit.key", data.auditKey), ("master.key", data.masterKey)]
            + ["audit.vkey", "server.id", "metrics.token", "tls/cert.pem", "tls/key.pem", "backup-recipient.pub"].map { ($0, data.path + "/" + $0) }
    }

    static func mac(_ manifest: Manifest, key: SecureBytes) throws -> String {
        var unsigned = manifest
        unsigned.mac = ""
        return Base64.encode(HMACSHA256.tag(key: key, message: [UInt8](try JSONEncoder.sortedKeys.encode(unsigned))).copyBytes())
    }

    static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ServerError.unreadable(path) }
        defer { try? handle.close() }
        var hasher = SHA256Stream()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update([UInt8](chunk)) }
        return Hex.encode(hasher.finalize())
    }

    static func copyPrefix(of source: String, length: Int, to destination: String) throws {
        guard let input = FileHandle(forReadingAtPath: source) else { throw ServerError.unreadable(source) }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
            let output = FileHandle(forWritingAtPath: destination)
        else { throw ServerError.cannotWrite(destination) }
        defer { try? output.close() }
        var left = length
        while left > 0, let chunk = try input.read(upToCount: min(left, 1 << 20)), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
            left -= chunk.count
        }
        guard left == 0 else { throw ServerError.unreadable(source) }
    }

    /// fsync of every file and directory below `path` (or of `path` alone), so that the rename
    /// that publishes a backup comes after its bytes are on disk.
    static func syncTree(_ path: String, recursive: Bool = true) throws {
        var paths = [path]
        if recursive { paths += (FileManager.default.subpaths(atPath: path) ?? []).map { path + "/" + $0 } }
        for item in paths {
            let fd = Glibc.open(item, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ServerError.cannotWrite(item) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw ServerError.cannotWrite(item) }
        }
    }
}
