/// What a notification is about (docs/PROTOCOL.md, "Notifications"): a closed set, each of which
/// a person may turn off on its own (`notification.settings`). On the wire it is its name.
public enum NotificationKind: String, CaseIterable, Codable, Sendable {
    /// A new message in a room, for a member who is not reading it.
    case message
    /// An urgent message, alerted again until read.
    case urgent
    /// A patient's appointment reminder (with their consent to reminders).
    case reminder
    /// An appointment booked, moved or cancelled by the other side.
    case appointment
    /// An Admin's announcement.
    case announcement
    /// Emergency access to a record, for privacy officers to review.
    case breakglass
    /// A record amendment requested or answered.
    case amendment
    /// A change to the person's own account.
    case account

    /// The names, for messages that list them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
