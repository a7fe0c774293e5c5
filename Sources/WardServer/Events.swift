import Foundation
import WardProtocol

/// Server-pushed events: replies without an id.
enum Events {
    static func encode(_ event: ServerReply) -> String {
        (try? JSONEncoder.sorted.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func membership(_ type: ReplyType, roomID: String, userID: String, epoch: Int) -> String {
        var event = ServerReply(event: type)
        event.roomID = roomID
        event.userID = userID
        event.epoch = epoch
        return encode(event)
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: what the server writes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
