extension LogVerifier {
    /// Verifies what the newest checkpoint of a log still being written covers: the complete
    /// checkpoint records, and the entries up to that checkpoint's size. Entries appended after
    /// it, and a checkpoint or frame half-written at this moment, are not yet sealed and so not
    /// damage; a server checks its own log this way while it runs.
    public func verifySealedPrefix(directory: String) throws -> VerificationReport {
        let layout = LogLayout(directory: directory)
        let checkpointBytes = try FileIO.readAll(layout.checkpointsPath)
        let (records, torn) = checkpointBytes.withUnsafeBytes { CheckpointFile.parse($0) }
        let complete = checkpointBytes.prefix(torn ?? checkpointBytes.count)
        let sealed = records.compactMap { try? $0.parsed.get().checkpoint.size }.max() ?? 0
        let entries = try MappedFile(path: layout.entriesPath)
        var end = entries.bytes.count
        if let index = try? TreeIndex(directory: directory), sealed < index.size, let offset = try? index.frameOffset(sealed) {
            end = min(end, offset)
        } else {
            // No index to ask: walk the frames to the end of entry `sealed - 1`.
            var scanner = FrameScanner(data: entries.bytes)
            var position: UInt64 = 0
            while position < sealed, case let .frame(_, _, check) = scanner.next() {
                position += 1
                end = check.upperBound
            }
            if sealed == 0 { end = 0 }
        }
        return Array(complete).withUnsafeBytes { verify(entries: UnsafeRawBufferPointer(rebasing: entries.bytes[..<end]), checkpoints: $0) }
    }
}
