import Foundation
import WardE2EE
import WardProtocol
import WardTerminal
import WardClient
import WardCommandLine

/// How a message reads in a transcript: `[#seq yyyy-MM-dd HH:mm]` and the line as the screen
/// shows it (WardTerminal's `MessageFormat`).
enum Transcript {
    static func line(_ message: MessageInfo, content: MessageContent, sender: MemberInfo?, isMe: Bool) -> String {
        let time = Date(timeIntervalSince1970: Double(message.sentAt) / 1000)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let who = MessageFormat.Sender(name: sender?.displayName ?? message.senderID, role: sender?.role, isMe: isMe)
        return "[#\(message.seq) \(formatter.string(from: time))] " + MessageFormat.message(content.body, from: who, emote: content.format == "emote")
    }
}

/// One JSON object on a line, keys sorted.
enum JSONLine {
    static func encode(_ fields: [String: String]) throws -> String {
        String(decoding: try JSONEncoder.sortedKeys.encode(fields), as: UTF8.self)
    }
}

/// A room named by id or by its exact name among the user's rooms.
enum RoomLookup {
    static func id(of room: String, on connection: WardConnection) async throws -> String {
        let rooms = try await connection.request(RoomList()).rooms
        if let match = rooms.first(where: { $0.roomID == room }) { return match.roomID }
        let named = rooms.filter { $0.name == room }
        switch named.count {
        case 1: return named[0].roomID
        case 0: throw UsageError("you are in no room called \(room) (ward rooms lists them)")
        default: throw UsageError("several rooms are called \(room); give its id (ward rooms lists them)")
        }
    }
}
