import Foundation

/// A clinical note written in the person's own editor: a private file (0600, in a 0700
/// directory of its own) with a few lines of guidance, read back without them, then overwritten
/// and deleted, so the note does not outlive the editing on this computer's disk.
enum NoteFile {
    static let guidance = """

        # Write the note for %@ above. Lines starting with # are left out; an empty
        # note records nothing. Save and quit to record it. This file is deleted afterwards.
        """

    /// The note written, nil when the editor failed; `run` runs a program on the terminal.
    static func edit(with editor: String, patient: String, run: @Sendable ([String]) async -> Int32) async throws -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ward-note-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("note.txt")
        let template = Data(String(format: guidance, patient).utf8)
        guard FileManager.default.createFile(atPath: file.path, contents: template, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        defer { overwrite(file) }
        // The editor may carry its own options ("vim -u NONE"): the shell splits them.
        let status = await run(["/bin/sh", "-c", editor + " \"$1\"", "ward-note", file.path])
        guard status == 0 else { return nil }
        return text(of: String(decoding: try Data(contentsOf: file), as: UTF8.self))
    }

    /// The note without the guidance lines, trimmed.
    static func text(of written: String) -> String {
        written.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func overwrite(_ file: URL) {
        guard let handle = try? FileHandle(forWritingTo: file) else { return }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: 0)
        try? handle.write(contentsOf: Data(count: Int(size)))
        try? handle.synchronize()
        try? handle.close()
    }
}
