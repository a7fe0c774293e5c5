/// What the newest complete checkpoint of a log still being written covers: its entries and
/// the checkpoint records up to it. Entries appended after it, and a checkpoint or frame
/// half-written at this moment, are not sealed yet. A server checks its own log over this, and a
/// backup copies exactly this.
public struct SealedPrefix: Sendable {
    /// The newest complete checkpoint, if there is one.
    public let checkpoint: SignedCheckpoint?
    /// Bytes of the entries file the checkpoint covers.
    public let entriesEnd: Int
    /// Bytes of the checkpoints file up to the end of that checkpoint's record.
    public let checkpointsEnd: Int

    public static func of(directory: String) throws -> SealedPrefix {
        let layout = LogLayout(directory: directory)
        let checkpointBytes = try FileIO.readAll(layout.checkpointsPath)
        let records = checkpointBytes.withUnsafeBytes { CheckpointFile.parse($0).records }
        // Sizes never decrease along the file: the last record that parses is the newest.
        let newest = records.last { (try? $0.parsed.get()) != nil }
        let checkpoint = try? newest?.parsed.get()
        let sealed = checkpoint?.checkpoint.size ?? 0
        let entriesSize = try FileIO.size(layout.entriesPath)
        var end = 0
        if let index = try? TreeIndex(directory: directory), sealed < index.size, let offset = try? index.frameOffset(sealed) {
            end = offset
        } else if sealed > 0 {
            // No index to ask: walk the frames to the end of entry `sealed - 1`.
            let entries = try MappedFile(path: layout.entriesPath)
            var scanner = FrameScanner(data: entries.bytes)
            var position: UInt64 = 0
            while position < sealed, case let .frame(_, _, check) = scanner.next() {
                position += 1
                end = check.upperBound
            }
        }
        return SealedPrefix(
            checkpoint: checkpoint, entriesEnd: min(end, entriesSize),
            checkpointsEnd: newest.map { min($0.range.upperBound + 1, checkpointBytes.count) } ?? 0)
    }
}

extension LogVerifier {
    /// Verifies the sealed prefix of a log still being written (`SealedPrefix`).
    public func verifySealedPrefix(directory: String) throws -> VerificationReport {
        let layout = LogLayout(directory: directory)
        let prefix = try SealedPrefix.of(directory: directory)
        let checkpointBytes = try FileIO.readAll(layout.checkpointsPath, limit: prefix.checkpointsEnd)
        let entries = try MappedFile(path: layout.entriesPath)
        return checkpointBytes.withUnsafeBytes {
            verify(entries: UnsafeRawBufferPointer(rebasing: entries.bytes[..<min(prefix.entriesEnd, entries.bytes.count)]), checkpoints: $0)
        }
    }
}
