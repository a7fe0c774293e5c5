import Foundation
import WardClient
import WardCommandLine
import WardProtocol

/// What `ward appointments` and the screen's /book, /cancel and /reschedule share: finding a
/// clinician, listing free slots, and reading a start time as a slot number or an instant.
enum Scheduling {
    /// A clinician who publishes availability, by user id, username or display name.
    static func clinician(_ name: String, on connection: WardConnection) async throws -> UserInfo {
        let clinicians = try await connection.request(AvailabilityClinicians()).users
        let lowered = name.lowercased()
        let matches = clinicians.filter { $0.userID == name || $0.username.lowercased() == lowered || $0.displayName.lowercased() == lowered }
        switch matches.count {
        case 1: return matches[0]
        case 0:
            throw UsageError("no bookable clinician is called \(name) (ward appointments clinicians lists them)")
        default: throw UsageError("several clinicians are called \(name); give the username")
        }
    }

    /// Free slots of a clinician over the next `days` days.
    static func slots(of clinicianID: String, days: Int, on connection: WardConnection) async throws -> [SlotInfo] {
        let now = Int64(Date().timeIntervalSince1970)
        return try await connection.request(AppointmentSlots(clinicianID: clinicianID, startsAt: now, endsAt: now + Int64(days) * 86_400)).slots
    }

    /// A start given as the number of a slot in `slots` (as listed, from 1) or as an ISO 8601
    /// time with its zone (2026-12-01T09:30:00+01:00).
    static func start(_ text: String, in slots: [SlotInfo]) throws -> Int64 {
        if let number = Int(text) {
            guard (1...max(1, slots.count)).contains(number), number <= slots.count else {
                throw UsageError("there is no free slot \(number); \(slots.count) are listed")
            }
            return slots[number - 1].startsAt
        }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw UsageError("\(text) is neither a slot number nor a time such as 2026-12-01T09:30:00+01:00")
        }
        return Int64(date.timeIntervalSince1970)
    }

    /// The person's upcoming appointments (a patient's, or a clinician's schedule).
    static func upcoming(on connection: WardConnection) async throws -> [AppointmentInfo] {
        try await connection.request(AppointmentList()).appointments
    }

    /// An appointment by id, or by its number in `upcoming` (from 1).
    static func appointmentID(_ text: String, on connection: WardConnection) async throws -> String {
        if text.hasPrefix("appt:") { return text }
        let upcoming = try await upcoming(on: connection)
        guard let number = Int(text), (1...max(1, upcoming.count)).contains(number), number <= upcoming.count else {
            throw UsageError("\(text) is neither an appointment id (appt:…) nor the number of one of your \(upcoming.count) upcoming appointments")
        }
        return upcoming[number - 1].appointmentID
    }
}
