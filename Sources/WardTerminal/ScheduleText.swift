public import Foundation
public import WardProtocol

/// How appointments, free slots and notifications read on a terminal, in the terminal's time
/// zone; `ward appointments`, `ward notifications` and the screen's commands print the same lines.
public enum ScheduleText {
    public static func appointment(_ appointment: AppointmentInfo, number: Int? = nil, timeZone: TimeZone = .current) -> String {
        let who = [appointment.clinicianName, appointment.patientName].compactMap { $0 }.map(MessageFormat.safe).joined(separator: " / ")
        let status = appointment.status == "noShow" ? "no-show" : appointment.status
        return (number.map { "\($0). " } ?? "")
            + "\(span(appointment.startsAt, appointment.endsAt, timeZone))  \(who)  \(MessageFormat.safe(appointment.location))  "
            + "\(status)  (\(appointment.appointmentID))" + (appointment.reason.map { "  — \(MessageFormat.safe($0))" } ?? "")
    }

    public static func slot(_ slot: SlotInfo, number: Int, timeZone: TimeZone = .current) -> String {
        "\(number). \(span(slot.startsAt, slot.endsAt, timeZone))  \(MessageFormat.safe(slot.location))"
    }

    public static func notification(_ notification: NotificationInfo, timeZone: TimeZone = .current) -> String {
        "\(moment(notification.firedAt ?? notification.dueAt, timeZone))  \(notification.kind)  \(MessageFormat.safe(notification.text))"
            + (notification.readAt == nil ? "  [unread]" : "")
    }

    /// "Tue 1 Dec 09:30-10:00".
    static func span(_ start: Int64, _ end: Int64, _ timeZone: TimeZone) -> String {
        moment(start, timeZone) + "-" + format(end, "HH:mm", timeZone)
    }

    /// "Tue 1 Dec 09:30".
    public static func moment(_ seconds: Int64, _ timeZone: TimeZone) -> String { format(seconds, "EEE d MMM HH:mm", timeZone) }

    static func format(_ seconds: Int64, _ pattern: String, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = pattern
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
