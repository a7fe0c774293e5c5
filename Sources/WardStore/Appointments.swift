public import GRDB
public import Foundation

/// When a clinician sees patients: every week on a weekday between two times of day in the
/// clinic's time zone (`weekly`), or once between two instants (`open` adds hours, `closed`
/// takes them away: leave, a training day).
public struct AvailabilityRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "availability"
    public var id: Int64?
    public var clinicianID: String
    public var kind: Kind
    /// weekly: ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int?
    /// weekly: minutes after local midnight.
    public var startMinute: Int?
    public var endMinute: Int?
    /// open, closed: seconds since 1970.
    public var startsAt: Int64?
    public var endsAt: Int64?
    /// Length of one appointment.
    public var slotMinutes: Int
    public var location: String
    public var createdAt: Int64

    public init(
        clinicianID: String, kind: Kind, weekday: Int? = nil, startMinute: Int? = nil, endMinute: Int? = nil,
        startsAt: Int64? = nil, endsAt: Int64? = nil, slotMinutes: Int, location: String, createdAt: Int64
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
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An appointment. The reason for the visit is clinical: it is stored sealed under the patient's
/// data key (`sealedReason`), so that front-desk views and database copies do not hold it and
/// the patient's erasure destroys it.
public struct AppointmentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "appointment"
    public var id: String
    public var patientID: String
    public var clinicianID: String
    public var startsAt: Int64
    public var endsAt: Int64
    public var location: String
    public var status: Status
    public var sealedReason: Data?
    public var bookedBy: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var cancelledBy: String?

    public init(
        id: String, patientID: String, clinicianID: String, startsAt: Int64, endsAt: Int64, location: String, status: Status,
        sealedReason: Data?, bookedBy: String, createdAt: Int64
    ) {
        self.id = id
        self.patientID = patientID
        self.clinicianID = clinicianID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.status = status
        self.sealedReason = sealedReason
        self.bookedBy = bookedBy
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    /// The states in which an appointment holds its slot.
    public static let holdingSlot: [Status] = [.requested, .confirmed]
}

/// Why a booking did not happen.
public enum BookingRefusal: Error, Equatable, Sendable {
    /// Someone else holds the slot (or the patient already has an appointment then).
    case slotTaken
    case noSuchAppointment
    /// The change is not one the appointment's state allows (a cancelled one cannot be confirmed).
    case notAllowedIn(status: AppointmentRecord.Status)
}

extension WardDatabase {
    // MARK: Availability

    /// The clinicians who publish availability.
    public func bookableClinicians() throws -> [String] {
        try pool.read { try String.fetchAll($0, sql: "SELECT DISTINCT clinicianID FROM availability ORDER BY clinicianID") }
    }

    /// Every clinician's availability, for the start-up check of stored entries.
    public func allAvailability() throws -> [AvailabilityRecord] {
        try pool.read { try AvailabilityRecord.order(Column("id")).fetchAll($0) }
    }

    public func availability(clinicianID: String) throws -> [AvailabilityRecord] {
        try pool.read { try AvailabilityRecord.filter(Column("clinicianID") == clinicianID).order(Column("id")).fetchAll($0) }
    }

    // MARK: Appointments

    public func appointment(id: String) throws -> AppointmentRecord? {
        try pool.read { try AppointmentRecord.fetchOne($0, key: id) }
    }

    /// Whose appointments: the patient's, or the clinician's schedule.
    public enum Party: String, Sendable { case patient = "patientID", clinician = "clinicianID" }

    /// Appointments of a patient or a clinician ending after `from`, soonest first.
    public func appointments(of userID: String, as party: Party, from: Int64, limit: Int = 500) throws -> [AppointmentRecord] {
        try pool.read { db in
            try AppointmentRecord.fetchAll(
                db, sql: "SELECT * FROM appointment WHERE \(party.rawValue) = ? AND endsAt > ? ORDER BY startsAt LIMIT ?",
                arguments: [userID, from, limit])
        }
    }

    /// Starts of a clinician's appointments that hold their slot between two instants.
    public func heldStarts(clinicianID: String, from: Int64, to: Int64) throws -> Set<Int64> {
        try pool.read { db in
            Set(
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT startsAt FROM appointment WHERE clinicianID = ? AND startsAt >= ? AND startsAt < ? AND status IN \
                        ('requested', 'confirmed')
                        """, arguments: [clinicianID, from, to]))
        }
    }
}

extension StoreTransaction {
    public func addAvailability(_ availability: AvailabilityRecord) throws -> AvailabilityRecord {
        var record = availability
        try record.insert(db)
        return record
    }

    /// Removes one of a clinician's availability entries; false when it is not theirs or gone.
    public func removeAvailability(id: Int64, clinicianID: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM availability WHERE id = ? AND clinicianID = ?", arguments: [id, clinicianID])
        return db.changesCount > 0
    }

    /// Books `appointment` unless its slot is held: the unique index on (clinician, start) for
    /// appointments holding their slot is what makes two concurrent bookings of one slot
    /// impossible, whatever the timing. A patient cannot hold two appointments starting at once.
    public func book(_ appointment: AppointmentRecord) throws {
        if try Int.fetchOne(
            db,
            sql: """
                SELECT 1 FROM appointment WHERE patientID = ? AND startsAt = ? AND status IN ('requested', 'confirmed')
                """, arguments: [appointment.patientID, appointment.startsAt]) != nil
        {
            throw BookingRefusal.slotTaken
        }
        do { try appointment.insert(db) } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw BookingRefusal.slotTaken
        }
    }

    /// Moves an appointment from one state to another, when the current state allows it.
    public func setStatus(
        appointmentID: String, to status: AppointmentRecord.Status, allowedFrom: [AppointmentRecord.Status], by userID: String, at time: Int64
    ) throws -> AppointmentRecord {
        guard var appointment = try AppointmentRecord.fetchOne(db, key: appointmentID) else { throw BookingRefusal.noSuchAppointment }
        guard allowedFrom.contains(appointment.status) else { throw BookingRefusal.notAllowedIn(status: appointment.status) }
        appointment.status = status
        appointment.updatedAt = time
        if status == .cancelled { appointment.cancelledBy = userID }
        try appointment.update(db)
        return appointment
    }

    /// Moves an appointment to another slot in one transaction: the new slot is taken first, so
    /// the old one is given up only if the move succeeds.
    public func reschedule(
        appointmentID: String, startsAt: Int64, endsAt: Int64, location: String, at time: Int64
    ) throws -> AppointmentRecord {
        guard var appointment = try AppointmentRecord.fetchOne(db, key: appointmentID) else { throw BookingRefusal.noSuchAppointment }
        guard AppointmentRecord.holdingSlot.contains(appointment.status) else { throw BookingRefusal.notAllowedIn(status: appointment.status) }
        appointment.startsAt = startsAt
        appointment.endsAt = endsAt
        appointment.location = location
        appointment.updatedAt = time
        do { try appointment.update(db) } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw BookingRefusal.slotTaken
        }
        return appointment
    }
}

extension AvailabilityRecord {
    /// Every week (`weekly`), or once: hours added (`open`) or taken away (`closed`).
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case weekly, open, closed
    }
}

extension AppointmentRecord {
    /// Where an appointment stands: asked for by a patient, confirmed by the clinic, or ended.
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case requested, confirmed, cancelled, completed, noShow
    }
}
