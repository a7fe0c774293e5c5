import Foundation
import Logging
import Synchronization

/// Free space on the data directory's filesystem, against a watermark. A full disk stopped
/// everything, the audit log included, and an audit log that cannot append stops every request
/// (issue 16, item 6). Below the watermark the server refuses the writes that can wait
/// (`RequestType.deferrableWrite`: new messages, records, bookings, accounts…) with
/// `storage_low`, while sign-in, reading, emergency access, consent withdrawal, erasure and the
/// audit entries of all of them still have the room the watermark keeps.
final class StorageWatch: Sendable {
    let path: String
    let minimumFreeBytes: Int64
    private let low = Mutex(false)

    init(path: String, minimumFreeBytes: Int64) {
        self.path = path
        self.minimumFreeBytes = minimumFreeBytes
    }

    var isLow: Bool { low.withLock { $0 } }

    /// Bytes free for an unprivileged writer on the filesystem of `path`; nil when it cannot be read.
    static func freeBytes(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(clamping: UInt64(stats.f_bavail) &* UInt64(stats.f_frsize))
    }

    /// Measures once; says so in the log when the state changes. A filesystem whose free space
    /// cannot be read counts as not low (the audit log's own failure handling still applies).
    func check(logger: Logger, metrics: Metrics) {
        let free = Self.freeBytes(at: path)
        let nowLow = free.map { $0 < minimumFreeBytes } ?? false
        let changed = low.withLock { state in
            defer { state = nowLow }
            return state != nowLow
        }
        metrics.setGauge("ward_storage_low", nowLow ? 1 : 0)
        guard changed else { return }
        if nowLow {
            logger.warning(
                "free disk space is below the watermark: refusing new messages, records, bookings and accounts until there is room",
                metadata: ["freeBytes": "\(free ?? 0)", "watermarkBytes": "\(minimumFreeBytes)"])
        } else {
            logger.notice("free disk space is above the watermark again: accepting every request", metadata: ["freeBytes": "\(free ?? 0)"])
        }
    }

}
