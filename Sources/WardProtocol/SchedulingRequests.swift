/// The scheduling requests' payloads (docs/PROTOCOL.md, "Appointments"): clinicians'
/// availability and appointments. Times are seconds since 1970; weekly hours are minutes after
/// the clinic's local midnight.

/// `availability.add`: `weekly` hours (`weekday`, `startMinute`, `endMinute`), or a one-off
/// `open` or `closed` block (`startsAt`, `endsAt`); the asker's own unless `clinicianID`.
public struct AvailabilityAdd: RequestPayload {
    public static let type = RequestType.availabilityAdd
    public typealias Answer = Reply.Availability
    public var clinicianID: String?
    public var kind: String
    public var weekday: Int?
    public var startMinute: Int?
    public var endMinute: Int?
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var slotMinutes: Int?
    public var location: String?

    public init(
        clinicianID: String? = nil, kind: String, weekday: Int? = nil, startMinute: Int? = nil, endMinute: Int? = nil,
        startsAt: Int64? = nil, endsAt: Int64? = nil, slotMinutes: Int? = nil, location: String? = nil
    ) {
        self.clinicianID = clinicianID
        self.kind = kind
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.slotMinutes = slotMinutes
        self.location = location
    }
}

/// `availability.remove`: one entry, by the id `availability.list` gives.
public struct AvailabilityRemove: RequestPayload {
    public static let type = RequestType.availabilityRemove
    public typealias Answer = Reply.Availability
    public var clinicianID: String?
    public var availabilityID: Int

    public init(clinicianID: String? = nil, availabilityID: Int) {
        (self.clinicianID, self.availabilityID) = (clinicianID, availabilityID)
    }
}

/// `availability.list`: a clinician's entries (the asker's own by default).
public struct AvailabilityList: RequestPayload {
    public static let type = RequestType.availabilityList
    public typealias Answer = Reply.Availability
    public var clinicianID: String?

    public init(clinicianID: String? = nil) { self.clinicianID = clinicianID }
}

/// `appointment.slots`: a clinician's free slots in [`startsAt`, `endsAt`) (default: two weeks from now).
public struct AppointmentSlots: RequestPayload {
    public static let type = RequestType.appointmentSlots
    public typealias Answer = Reply.Slots
    public var clinicianID: String
    public var startsAt: Int64?
    public var endsAt: Int64?

    public init(clinicianID: String, startsAt: Int64? = nil, endsAt: Int64? = nil) {
        (self.clinicianID, self.startsAt, self.endsAt) = (clinicianID, startsAt, endsAt)
    }
}

/// `appointment.book`: the slot starting at `startsAt` with a clinician, for the asker or (staff)
/// for `patientID`; `reason` is clinical and sealed under the patient's key.
public struct AppointmentBook: RequestPayload {
    public static let type = RequestType.appointmentBook
    public typealias Answer = Reply.Appointment
    public var clinicianID: String
    public var patientID: String?
    public var reason: String?
    public var startsAt: Int64

    public init(clinicianID: String, patientID: String? = nil, reason: String? = nil, startsAt: Int64) {
        (self.clinicianID, self.patientID, self.reason, self.startsAt) = (clinicianID, patientID, reason, startsAt)
    }
}

/// `appointment.reschedule`: the same clinician's free slot starting at `startsAt`.
public struct AppointmentReschedule: RequestPayload {
    public static let type = RequestType.appointmentReschedule
    public typealias Answer = Reply.Appointment
    public var appointmentID: String
    public var startsAt: Int64

    public init(appointmentID: String, startsAt: Int64) {
        (self.appointmentID, self.startsAt) = (appointmentID, startsAt)
    }
}

/// `appointment.update`: the clinic's `status` change: `confirmed`, `completed` or `noShow`.
public struct AppointmentUpdate: RequestPayload {
    public static let type = RequestType.appointmentUpdate
    public typealias Answer = Reply.Appointment
    public var appointmentID: String
    public var status: String?

    public init(appointmentID: String, status: String?) {
        (self.appointmentID, self.status) = (appointmentID, status)
    }
}

/// `appointment.list`: a person's appointments from `startsAt` (default now), soonest first.
public struct AppointmentList: RequestPayload {
    public static let type = RequestType.appointmentList
    public typealias Answer = Reply.Appointments
    public var userID: String?
    public var startsAt: Int64?

    public init(userID: String? = nil, startsAt: Int64? = nil) {
        (self.userID, self.startsAt) = (userID, startsAt)
    }
}
