/// A clinician's availability entry: weekly hours (`weekday` 1 = Monday … 7, minutes after local
/// midnight in the clinic's time zone) or a one-off `open` or `closed` block (seconds since 1970).
public struct AvailabilityInfo: Codable, Hashable, Sendable {
    public var availabilityID: Int
    public var clinicianID: String
    public var kind: String
    public var weekday: Int?
    public var startMinute: Int?
    public var endMinute: Int?
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var slotMinutes: Int
    public var location: String

    public init(
        availabilityID: Int, clinicianID: String, kind: String, weekday: Int?, startMinute: Int?, endMinute: Int?,
        startsAt: Int64?, endsAt: Int64?, slotMinutes: Int, location: String
    ) {
        self.availabilityID = availabilityID
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

/// A free slot (seconds since 1970).
public struct SlotInfo: Codable, Hashable, Sendable {
    public var startsAt: Int64
    public var endsAt: Int64
    public var location: String

    public init(startsAt: Int64, endsAt: Int64, location: String) {
        (self.startsAt, self.endsAt, self.location) = (startsAt, endsAt, location)
    }
}

/// An appointment as its viewer may see it: `reason` (clinical) only in `appointment.show` and
/// only for those the policies let read it; front desk views carry time, people, place, status.
public struct AppointmentInfo: Codable, Hashable, Sendable {
    public var appointmentID: String
    public var patientID: String
    public var clinicianID: String
    public var startsAt: Int64
    public var endsAt: Int64
    public var location: String
    /// `requested`, `confirmed`, `cancelled`, `completed`, `noShow`.
    public var status: String
    public var bookedBy: String
    public var cancelledBy: String?
    public var updatedAt: Int64
    public var reason: String?
    /// Display names, for showing (absent when the viewer may not see the account).
    public var patientName: String?
    public var clinicianName: String?

    public init(
        appointmentID: String, patientID: String, clinicianID: String, startsAt: Int64, endsAt: Int64, location: String,
        status: String, bookedBy: String, cancelledBy: String?, updatedAt: Int64, reason: String? = nil,
        patientName: String? = nil, clinicianName: String? = nil
    ) {
        self.appointmentID = appointmentID
        self.patientID = patientID
        self.clinicianID = clinicianID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.status = status
        self.bookedBy = bookedBy
        self.cancelledBy = cancelledBy
        self.updatedAt = updatedAt
        self.reason = reason
        self.patientName = patientName
        self.clinicianName = clinicianName
    }
}
