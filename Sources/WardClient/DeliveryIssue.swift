/// What a reader can tell about messages the server did not deliver as sent (issue 17): each
/// sender key numbers its messages, so a position skipped between two messages read is a message
/// withheld or lost, and a lower position after a higher one is a message delivered out of order.
/// The server cannot hide either; the person is told.
public enum DeliveryIssue: Hashable, Sendable, CustomStringConvertible {
    /// `count` messages from `senderID` between two read were not delivered.
    case missing(roomID: String, senderID: String, count: Int)
    /// A message from `senderID` came after one the sender sent later.
    case reordered(roomID: String, senderID: String)

    public var description: String {
        switch self {
        case let .missing(_, senderID, count): return "\(count) message(s) from \(senderID) were not delivered"
        case let .reordered(_, senderID): return "a message from \(senderID) was delivered out of order"
        }
    }
}
