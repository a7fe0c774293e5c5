import Foundation
import WardProtocol

/// Server-pushed events: replies without an id.
enum Events {
    static func encode(_ type: ReplyType, _ payload: some ReplyPayload) -> String {
        (try? JSONEncoder.sortedKeys.encode(ReplyFrame.event(type, payload))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func membership(_ type: ReplyType, roomID: String, userID: String, epoch: Int) -> String {
        encode(type, Reply.Membership(roomID: roomID, userID: userID, epoch: epoch))
    }
}
