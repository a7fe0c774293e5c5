public import Foundation
public import WardProtocol

/// Appointments as an iCalendar file (RFC 5545) that calendar applications import: one VEVENT
/// per appointment, times in UTC, text escaped (§3.3.11) and lines folded at 75 octets (§3.1),
/// CRLF line ends. The summary names the clinician and never the reason.
public enum ICalendar {
    public static func document(_ appointments: [AppointmentInfo], stamp: Date = Date()) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ward//ward appointments//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        for appointment in appointments {
            lines += [
                "BEGIN:VEVENT",
                "UID:\(escape(appointment.appointmentID))@ward",
                "DTSTAMP:\(utc(stamp))",
                "DTSTART:\(utc(seconds: appointment.startsAt))",
                "DTEND:\(utc(seconds: appointment.endsAt))",
                "LAST-MODIFIED:\(utc(seconds: appointment.updatedAt))",
                "SUMMARY:" + escape("Appointment" + (appointment.clinicianName.map { " with \($0)" } ?? "")),
                "LOCATION:" + escape(appointment.location),
                "STATUS:" + status(appointment.status),
                "END:VEVENT"
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TENTATIVE until the clinic confirms; CANCELLED for cancelled and missed ones.
    static func status(_ status: String) -> String {
        switch status {
        case "requested": return "TENTATIVE"
        case "cancelled", "noShow": return "CANCELLED"
        default: return "CONFIRMED"
        }
    }

    /// TEXT values: backslash, semicolon and comma escaped, line breaks as \n.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Splits a content line into lines of at most 75 octets, continuation lines starting with a
    /// space, never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            let limit = parts.isEmpty ? 75 : 74
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }

    static func utc(seconds: Int64) -> String { utc(Date(timeIntervalSince1970: TimeInterval(seconds))) }

    static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
