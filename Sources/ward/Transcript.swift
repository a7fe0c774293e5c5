import Foundation
import WardE2EE
import WardProtocol
import WardClient
import WardCommandLine

/// How a message reads in a transcript: `[#seq HH:MM] Name (Role): text`, own lines as `Me:`,
/// actions as `* Name text`. Control characters in the text are shown as U+FFFD so that a message
/// cannot move the cursor or rewrite the terminal.
enum Transcript {
    static func line(_ message: MessageInfo, content: MessageContent, sender: MemberInfo?, isMe: Bool) -> String {
        let time = Date(timeIntervalSince1970: Double(message.sentAt) / 1000)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let who = isMe ? "Me" : sender.map { "\($0.displayName) (\($0.role))" } ?? message.senderID
        let text = safe(content.body)
        let body = content.format == "emote" ? "* \(isMe ? "Me" : sender?.displayName ?? message.senderID) \(text)" : "\(who): \(text)"
        return "[#\(message.seq) \(formatter.string(from: time))] \(body)"
    }

    static func safe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format where scalar.value != 0x200D && scalar.value != 0x200C: return "\u{FFFD}"
            default: return scalar
            }
        }))
    }
}

/// One JSON object on a line, keys sorted.
enum JSONLine {
    static func encode(_ fields: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(fields), as: UTF8.self)
    }
}

/// A room named by id or by its exact name among the user's rooms.
enum RoomLookup {
    static func id(of room: String, on connection: WardConnection) async throws -> String {
        let rooms = try await connection.request(ClientRequest(id: 0, type: "room.list")).rooms ?? []
        if let match = rooms.first(where: { $0.roomID == room }) { return match.roomID }
        let named = rooms.filter { $0.name == room }
        switch named.count {
        case 1: return named[0].roomID
        case 0: throw UsageError("you are in no room called \(room) (ward rooms lists them)")
        default: throw UsageError("several rooms are called \(room); give its id (ward rooms lists them)")
        }
    }
}
