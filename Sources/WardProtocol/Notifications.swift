/// A notification as its person sees it (times in seconds since 1970). `text` never holds a
/// message's words or why a visit is; `refID` names the room or appointment it is about.
public struct NotificationInfo: Codable, Hashable, Sendable {
    public var notificationID: Int
    /// `message`, `urgent`, `reminder`, `appointment`, `announcement`.
    public var kind: String
    public var text: String
    public var refID: String?
    public var dueAt: Int64
    public var firedAt: Int64?
    public var readAt: Int64?

    public init(notificationID: Int, kind: String, text: String, refID: String?, dueAt: Int64, firedAt: Int64?, readAt: Int64?) {
        self.notificationID = notificationID
        self.kind = kind
        self.text = text
        self.refID = refID
        self.dueAt = dueAt
        self.firedAt = firedAt
        self.readAt = readAt
    }
}
