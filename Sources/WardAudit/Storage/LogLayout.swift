/// The files of an audit log directory (audit/FORMAT.md §9).
public struct LogLayout: Sendable {
    /// The directory.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Framed entries, appended only.
    public var entriesPath: String { directory + "/entries" }
    /// Signed checkpoints, appended only, each followed by a blank line.
    public var checkpointsPath: String { directory + "/checkpoints" }
    /// Bytes of torn tails cut off at recovery, kept for forensics.
    public var recoveredDirectory: String { directory + "/recovered" }
}

/// On-disk framing of one entry: `length (u32, big-endian) ‖ entry ‖ check`, where `check` is
/// the first 8 bytes of the entry's leaf hash. The check lets recovery tell a torn write from a
/// whole entry; it is not a security mechanism (the chain and the signed tree are).
public enum Frame {
    public static let lengthBytes = 4
    public static let checkBytes = 8
    public static let overhead = lengthBytes + checkBytes
    /// Largest entry a frame may hold.
    public static let maxEntryLength = 65_535

    /// Appends a frame for an entry already encoded at `out[entryStart...]`, whose length
    /// prefix placeholder sits just before it; returns the leaf hash.
    static func seal(_ out: inout [UInt8], lengthAt start: Int) -> Hash32 {
        let entryStart = start + lengthBytes
        let length = out.count - entryStart
        withUnsafeBytes(of: UInt32(length).bigEndian) { raw in
            for i in 0..<4 { out[start + i] = raw[i] }
        }
        let leaf = out.withUnsafeBytes { TreeHash.leaf(UnsafeRawBufferPointer(rebasing: $0[entryStart...])) }
        leaf.withUnsafeBytes { out.append(contentsOf: $0.prefix(checkBytes)) }
        return leaf
    }

}

/// Walks the frames of an entries file without interpreting them.
struct FrameScanner {
    enum Step {
        /// A frame whose entry is `entry` and whose check bytes are `check`.
        case frame(offset: Int, entry: Range<Int>, check: Range<Int>)
        /// The file ends inside a frame that starts at `offset`.
        case truncated(offset: Int)
        /// The length field at `offset` is zero or above the maximum: framing is lost from here.
        case badLength(offset: Int, length: Int)
        case end
    }

    let data: UnsafeRawBufferPointer
    var offset = 0

    init(data: UnsafeRawBufferPointer, offset: Int = 0) {
        self.data = data
        self.offset = offset
    }

    mutating func next() -> Step {
        let remaining = data.count - offset
        if remaining == 0 { return .end }
        if remaining < Frame.lengthBytes { return .truncated(offset: offset) }
        let length = Int(UInt32(bigEndian: data.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        if length == 0 || length > Frame.maxEntryLength { return .badLength(offset: offset, length: length) }
        if remaining < Frame.overhead + length { return .truncated(offset: offset) }
        let start = offset + Frame.lengthBytes
        let step = Step.frame(offset: offset, entry: start..<(start + length), check: (start + length)..<(start + length + Frame.checkBytes))
        offset = start + length + Frame.checkBytes
        return step
    }
}

/// What one frame's bytes say about themselves: the leaf hash, whether the check matches, and
/// the decoded header, or nil when the entry is malformed. Plain data, so that millions can be
/// stored and copied cheaply; `decodeError(…)` re-decodes a bad frame to say why.
struct FrameInspection {
    var leaf: Hash32
    var checkMatches: Bool
    var header: EntryCodec.Header?

    init(data: UnsafeRawBufferPointer, entry: Range<Int>, check: Range<Int>) {
        let bytes = UnsafeRawBufferPointer(rebasing: data[entry])
        leaf = TreeHash.leaf(bytes)
        checkMatches = data.loadUnaligned(fromByteOffset: check.lowerBound, as: UInt64.self) == leaf.storage.w0
        header = try? EntryCodec.validate(bytes)
    }

    /// Why the entry in `entry` does not decode (nil when it does).
    static func decodeError(data: UnsafeRawBufferPointer, entry: Range<Int>) -> EntryCodec.CodecError? {
        do {
            _ = try EntryCodec.validate(UnsafeRawBufferPointer(rebasing: data[entry]))
            return nil
        } catch let error as EntryCodec.CodecError {
            return error
        } catch {
            return .malformed(offset: 0, reason: "\(error)")
        }
    }
}
