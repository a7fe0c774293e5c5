import Foundation
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// When notifications are due: reminders before an appointment, and how often an unread urgent
/// message alerts again.
public struct NotificationTimes: Sendable {
    /// Seconds before an appointment at which its patient is reminded (24 h and 1 h by default).
    public var reminderLeads: [Int64] = [24 * 3600, 3600]
    public var urgentRealert: Int64 = 5 * 60

    public init() {}
}

/// Notifications: the texts (privacy by default, GDPR Art. 25: that something happened, never
/// what a message says or why a visit is) and the scheduler that delivers them once each. A
/// notification is stored when it is made; the scheduler stamps it delivered in the transaction
/// that picks it and then pushes it to the person's connections, so a restart neither loses one
/// (it is picked after the restart) nor repeats one (it was stamped). Someone offline finds it
/// in `notification.list` at their next sign-in.
struct Notifier: Sendable {
    let context: ServerContext

    /// Delivered per transaction.
    static let batch = 2000

    /// Delivers everything due, then urgent re-alerts; returns how many were pushed.
    @discardableResult
    func deliverDue() async throws -> Int {
        let database = context.gate.database
        let hub = context.hub
        var delivered = 0
        while true {
            let now = Clock.nowSeconds()
            let due = try await database.write(
                { try $0.takeDue(now: now, limit: Self.batch) },
                afterCommit: { Self.push($0, hub: hub) })
            delivered += due.count
            if due.count < Self.batch { break }
        }
        let interval = context.notificationTimes.urgentRealert
        let now = Clock.nowSeconds()
        delivered += try await database.write(
            { try $0.takeRealerts(now: now, interval: interval, limit: Self.batch) },
            afterCommit: { Self.push($0, hub: hub) }
        ).count
        return delivered
    }

    static func push(_ notifications: [NotificationRecord], hub: Hub) {
        for notification in notifications {
            hub.post(Events.encode(.notification, Reply.Notification(notification: info(notification))), toUsers: [notification.userID])
        }
    }

    static func info(_ record: NotificationRecord) -> NotificationInfo {
        NotificationInfo(
            notificationID: Int(record.id ?? 0), kind: record.kind.rawValue, text: record.text, refID: record.refID, dueAt: record.dueAt,
            firedAt: record.firedAt, readAt: record.readAt)
    }

    // MARK: What to say

    /// A date and time in the clinic's zone, as a person reads it: "Tue 1 Dec 09:30".
    func when(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = context.timeZone
        formatter.dateFormat = "EEE d MMM HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The reminders an appointment's patient gets, when they consent to reminders and have not
    /// turned them off. Names the time and place, not the clinician or the reason.
    func reminders(for appointment: AppointmentRecord, now: Int64) throws -> [NotificationRecord] {
        guard AppointmentRecord.holdingSlot.contains(appointment.status), try wants(.reminder, appointment.patientID) else { return [] }
        return context.notificationTimes.reminderLeads.compactMap { lead in
            let due = appointment.startsAt - lead
            guard due > now else { return nil }
            return NotificationRecord(
                userID: appointment.patientID, kind: .reminder,
                text: "Reminder: appointment \(when(appointment.startsAt)), \(appointment.location)",
                refID: appointment.id, createdAt: now, dueAt: due)
        }
    }

    /// Whether `userID` receives `kind`: not turned off, and for a patient's reminders, consented to.
    func wants(_ kind: NotificationKind, _ userID: String) throws -> Bool {
        let database = context.gate.database
        guard !(try database.mutedNotificationKinds(userID: userID).contains(kind)) else { return false }
        guard kind == .reminder, try database.user(id: userID)?.role == .patient else { return true }
        return try database.activeConsents(userID: userID).contains("appointment-reminders")
    }

    /// Tells the other side of an appointment that it changed: the patient when staff acted,
    /// the clinician when the patient did.
    func appointmentChange(_ appointment: AppointmentRecord, what: String, by actorID: String, now: Int64) throws -> [NotificationRecord] {
        let sides = [(appointment.patientID, "Your appointment"), (appointment.clinicianID, "An appointment")]
        return try sides.filter { userID, _ in try actorID != userID && wants(.appointment, userID) }.map { userID, whose in
            NotificationRecord(
                userID: userID, kind: .appointment, text: "\(whose) \(when(appointment.startsAt)) was \(what)", refID: appointment.id,
                createdAt: now, dueAt: now)
        }
    }

    /// What an offline member of a room is told of a new message.
    static func messageAlert(careRoom: Bool) -> String {
        careRoom ? "You have a new message from your care team" : "You have a new message"
    }

    static let urgentAlert = "An urgent message is waiting for you"
}

/// The person's own notifications, and the Admin's announcements.
extension NotificationService {
    /// notification.announce: an Admin's announcement to everyone, or to one role.
    /// Returns how many people were told.
    func announce(_ announcement: NotificationAnnounce, _ user: UserRecord) async throws -> Int {
        let text = announcement.text
        guard (1...500).contains(text.count), !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ReplyError(code: .badRequest, message: "text must be 1-500 characters without control characters")
        }
        if let role = announcement.role, AccountRole(rawValue: role) == nil {
            throw ReplyError(code: .badRequest, message: "role must be one of \(AccountRole.names)")
        }
        var audited = Gate.Request(
            principal: user, action: .notificationAnnounce, resource: Entity(uid: ClinicModel.service),
            event: RequestType.notificationAnnounce.rawValue, code: .create, objectType: "service", objectID: "ward",
            secondFactor: hasSecondFactor)
        audited.details = ["to": announcement.role ?? "everyone"]
        try await context.gate.require(audited)
        let database = context.gate.database
        let now = Clock.nowSeconds()
        let recipients = try database.allUsers().filter { $0.active && (announcement.role == nil || $0.role.rawValue == announcement.role) }
        let notifier = Notifier(context: context)
        let notes = try recipients.filter { try notifier.wants(.announcement, $0.id) }.map {
            NotificationRecord(userID: $0.id, kind: .announcement, text: text, refID: nil, createdAt: now, dueAt: now)
        }
        try await database.write { try $0.addNotifications(notes) }
        try await notifier.deliverDue()
        return notes.count
    }

    /// notification.list, .read, .settings: the person's own notifications, after marking or muting.
    /// The three differ in what they change first: `read` marks `notificationID` (or all) read,
    /// `settings` turns `kind` on or off (`enabled`); `list` lists with `kind` `all` the read ones too.
    func handleNotifications(
        _ type: RequestType, kind: String?, notificationID: Int?, enabled: Bool?, _ user: UserRecord
    ) async throws -> Reply.Notifications {
        let database = context.gate.database
        var audited = try selfRequest(user, type: type, code: type == .notificationList ? .read : .update)
        audited.objectType = "notification"
        if let notificationID { audited.details["notification"] = "\(notificationID)" }
        try await context.gate.require(audited)
        if type == .notificationRead {
            let userID = user.id, which = notificationID.map(Int64.init)
            let now = Clock.nowSeconds()
            let marked = try await database.write { try $0.markNotificationsRead(userID: userID, id: which, at: now) }
            if which != nil && marked == 0 { throw ReplyError(code: .notFound, message: "no unread notification of yours has that id") }
        }
        if type == .notificationSettings, let kind {
            guard let kind = NotificationKind(rawValue: kind), let enabled = enabled else {
                throw ReplyError(code: .badRequest, message: "give kind (\(NotificationKind.names)) and enabled")
            }
            let userID = user.id
            try await database.write { try $0.setNotificationKind(userID: userID, kind: kind, enabled: enabled) }
        }
        let listed = try database.notifications(userID: user.id, unreadOnly: kind != "all" || type == .notificationSettings)
        return Reply.Notifications(
            notifications: listed.map(Notifier.info), unreadNotifications: try database.unreadNotificationCount(userID: user.id),
            mutedKinds: try database.mutedNotificationKinds(userID: user.id).map(\.rawValue).sorted())
    }
}
