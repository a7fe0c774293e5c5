/// The checkpoints file: signed checkpoint notes, each followed by one blank line
/// (audit/FORMAT.md §9).
enum CheckpointFile {
    /// One record as found in the file.
    struct Record {
        /// Byte range of the note (without the blank line that ends the record).
        var range: Range<Int>
        var parsed: Result<SignedCheckpoint, NoteError>
    }

    /// Splits the file into records. `tornTail` is the offset of an unfinished last record
    /// (no terminating blank line), if any.
    static func parse(_ data: UnsafeRawBufferPointer) -> (records: [Record], tornTail: Int?) {
        var records: [Record] = []
        var start = 0
        while start < data.count {
            // A record is: text lines, "\n", signature lines, "\n". So it ends at the second
            // blank line ("\n\n") after its start.
            guard let first = blankLine(in: data, from: start),
                let second = blankLine(in: data, from: first + 2)
            else { return (records, start) }
            let range = start..<(second + 1)
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: data[range]), as: UTF8.self)
            let parsed: Result<SignedCheckpoint, NoteError>
            do {
                parsed = .success(try SignedCheckpoint(note: SignedNote(parsing: text)))
            } catch let error as NoteError {
                parsed = .failure(error)
            } catch {
                parsed = .failure(.malformed("\(error)"))
            }
            records.append(Record(range: range, parsed: parsed))
            start = second + 2
        }
        return (records, nil)
    }

    /// Index of the first "\n" of a "\n\n" at or after `from`.
    private static func blankLine(in data: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i + 1 < data.count {
            if data[i] == 0x0A && data[i + 1] == 0x0A { return i }
            i += 1
        }
        return nil
    }

    /// The bytes of one record as written.
    static func record(_ checkpoint: SignedCheckpoint) -> [UInt8] {
        Array((checkpoint.text + "\n").utf8)
    }
}
