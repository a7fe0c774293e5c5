import Foundation
import WardClient
import WardCommandLine
import WardE2EE
import WardProtocol

/// A person's own export (GDPR Art. 15, 20): the server's document, with the messages this
/// device can decrypt added under `decrypted`, written mode 0600. `ward export` and the
/// screen's `/export` both use it.
enum OwnExport {
    /// Writes the export to `path`; returns a line saying what it holds (counts only).
    static func write(with messenger: SecureMessenger, to path: String) async throws -> String {
        var document = try await messenger.connection.exportSubject()
        var decrypted: [String: DecryptedText] = [:]
        for message in document.messages {
            guard let content = try? await messenger.open(message) else { continue }
            decrypted[message.messageID] = DecryptedText(text: content.body, format: content.format)
        }
        document.decrypted = decrypted
        let encoder = JSONEncoder.document
        try UserFiles.writePrivate(try encoder.encode(document), atPath: path)
        return "exported: \(document.rooms.count) rooms, \(document.messages.count) messages (\(decrypted.count) readable on this device), "
            + "\(document.access.count) access records → \(path)"
    }
}
