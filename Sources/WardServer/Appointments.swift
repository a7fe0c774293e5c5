import Foundation
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// Availability and appointments. Clinicians publish when they see patients; patients book,
/// move and cancel their own appointments; nurses and front-desk staff book for patients;
/// clinicians confirm, complete and mark no-shows on their schedule. Every request is decided
/// by the policies (scheduling.cedar) and audited; views are minimum necessary: the reason for a
/// visit is clinical and appears only in `appointment.show`, for those the policies let read it.
extension SchedulingService {
    /// availability.list: a clinician's weekly availability (the asker's own by default).
    func listAvailability(_ request: AvailabilityList, _ user: UserRecord) async throws -> [AvailabilityInfo] {
        let clinician = try clinician(request.clinicianID ?? user.id)
        try await allowScheduling(
            user, .availabilityList, code: .read, resource: ClinicModel.principal(clinician, careTeamsOf: []),
            objectType: "user", objectID: clinician.id)
        return try context.gate.database.availability(clinicianID: clinician.id).map(Self.info)
    }

    /// availability.clinicians: the active clinicians one can book.
    func bookableClinicians(_ user: UserRecord) async throws -> [UserInfo] {
        try await allowScheduling(
            user, .availabilityClinicians, code: .read, resource: Entity(uid: ClinicModel.service), objectType: "service", objectID: "ward")
        let database = context.gate.database
        return try database.bookableClinicians().compactMap { try database.user(id: $0) }.filter(\.active).map(Self.info)
    }

    // MARK: Slots and booking

    /// Free slots of a clinician in [from, to), from now on: what the availability gives, minus held slots.
    func freeSlots(of clinician: UserRecord, from: Int64, to: Int64) throws -> [SlotCalendar.Slot] {
        let database = context.gate.database
        let start = max(from, Clock.nowSeconds())
        guard to > start else { return [] }
        let held = try database.heldStarts(clinicianID: clinician.id, from: start, to: to)
        return SlotCalendar(timeZone: context.timeZone).slots(try database.availability(clinicianID: clinician.id), from: start, to: to)
            .filter { !held.contains($0.startsAt) }
    }

    func freeSlots(_ request: AppointmentSlots, _ user: UserRecord) async throws -> [SlotInfo] {
        let clinician = try clinician(request.clinicianID)
        let from = request.startsAt ?? Clock.nowSeconds()
        let to = request.endsAt ?? from + 14 * 86_400
        guard to > from, to - from <= 62 * 86_400 else {
            throw ReplyError(code: .badRequest, message: "endsAt must be after startsAt, at most 62 days later")
        }
        try await allowScheduling(
            user, .appointmentSlots, code: .read, resource: ClinicModel.principal(clinician, careTeamsOf: []),
            objectType: "user", objectID: clinician.id)
        return try freeSlots(of: clinician, from: from, to: to).map { SlotInfo(startsAt: $0.startsAt, endsAt: $0.endsAt, location: $0.location) }
    }

    /// The free slot starting at `startsAt`, or `slot_taken` / `bad_request`.
    func slot(of clinician: UserRecord, startingAt startsAt: Int64) throws -> SlotCalendar.Slot {
        guard startsAt > Clock.nowSeconds() else { throw ReplyError(code: .badRequest, message: "startsAt is in the past") }
        if let slot = try freeSlots(of: clinician, from: startsAt, to: startsAt + 1).first { return slot }
        let offered = SlotCalendar(timeZone: context.timeZone).slots(
            try context.gate.database.availability(clinicianID: clinician.id),
            from: startsAt, to: startsAt + 1)
        guard offered.isEmpty else { throw ReplyError(code: .slotTaken, message: "slot taken: pick another (appointment.slots lists the free ones)") }
        throw ReplyError(code: .badRequest, message: "the clinician has no slot starting then (appointment.slots lists them)")
    }

    func book(_ request: AppointmentBook, _ user: UserRecord) async throws -> AppointmentInfo {
        let clinician = try clinician(request.clinicianID)
        let patient = try lookUp(id: request.patientID ?? user.id, what: "patient")
        guard patient.role == .patient, patient.active else {
            throw ReplyError(code: .badRequest, message: "patientID does not name an active Patient account")
        }
        if let reason = request.reason {
            guard (1...500).contains(reason.count), !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ReplyError(code: .badRequest, message: "reason must be 1-500 characters without control characters")
            }
        }
        let slot = try slot(of: clinician, startingAt: request.startsAt)
        let id = "appt:" + OpaqueID.make()
        let now = Clock.nowSeconds()
        // Booked by the patient it waits for the clinic to confirm; booked by staff it is confirmed.
        let status: AppointmentRecord.Status = user.id == patient.id ? .requested : .confirmed
        let proposed = AppointmentRecord(
            id: id, patientID: patient.id, clinicianID: clinician.id, startsAt: slot.startsAt, endsAt: slot.endsAt, location: slot.location,
            status: status,
            sealedReason: try request.reason.map {
                try context.subjectKeys.seal(Data($0.utf8), subject: patient.id, scope: "appointments", context: id)
            },
            bookedBy: user.id, createdAt: now)
        try await allowScheduling(
            user, .appointmentBook, code: .create, resource: ClinicModel.appointment(proposed), objectType: "appointment",
            objectID: id, subjectID: patient.id, details: ["clinician": clinician.id, "starts": "\(slot.startsAt)"])
        let database = context.gate.database
        let notifier = Notifier(context: context)
        let reminders = try notifier.reminders(for: proposed, now: now)
        let told = try notifier.appointmentChange(proposed, what: status == .requested ? "requested" : "booked", by: user.id, now: now)
        try await database.write { transaction in
            try transaction.book(proposed)
            try transaction.replaceReminders(refID: proposed.id, with: reminders)
            try transaction.addNotifications(told)
        }
        if !told.isEmpty { try await notifier.deliverDue() }
        return try info(proposed)
    }

    func reschedule(_ request: AppointmentReschedule, _ user: UserRecord) async throws -> AppointmentInfo {
        let current = try existingAppointment(request.appointmentID)
        let clinician = try clinician(current.clinicianID)
        let slot = try slot(of: clinician, startingAt: request.startsAt)
        try await allowScheduling(
            user, .appointmentReschedule, code: .update, resource: ClinicModel.appointment(current), objectType: "appointment",
            objectID: current.id, subjectID: current.patientID, details: ["starts": "\(slot.startsAt)"])
        let now = Clock.nowSeconds()
        let database = context.gate.database
        var expected = current
        (expected.startsAt, expected.endsAt, expected.location) = (slot.startsAt, slot.endsAt, slot.location)
        let notifier = Notifier(context: context)
        let reminders = try notifier.reminders(for: expected, now: now)
        let told = try notifier.appointmentChange(expected, what: "moved here from \(notifier.when(current.startsAt))", by: user.id, now: now)
        let moved = try await database.write { transaction in
            let moved = try transaction.reschedule(
                appointmentID: current.id, startsAt: slot.startsAt, endsAt: slot.endsAt, location: slot.location,
                at: now)
            try transaction.replaceReminders(refID: current.id, with: reminders)
            try transaction.addNotifications(told)
            return moved
        }
        if !told.isEmpty { try await notifier.deliverDue() }
        return try info(moved)
    }

    /// appointment.cancel (`status` nil), appointment.update (the new `status`).
    func changeStatus(_ type: RequestType, appointmentID: String, status: String?, _ user: UserRecord) async throws -> AppointmentInfo {
        let current = try existingAppointment(appointmentID)
        let target: AppointmentRecord.Status, from: [AppointmentRecord.Status]
        if type == .appointmentCancel {
            (target, from) = (.cancelled, AppointmentRecord.holdingSlot)
        } else {
            switch status.flatMap(AppointmentRecord.Status.init(rawValue:)) {
            case .confirmed: (target, from) = (.confirmed, [.requested])
            case .completed: (target, from) = (.completed, [.confirmed])
            case .noShow: (target, from) = (.noShow, [.confirmed])
            default: throw ReplyError(code: .badRequest, message: "status must be confirmed, completed or noShow (cancel with appointment.cancel)")
            }
        }
        try await allowScheduling(
            user, type, code: type == .appointmentCancel ? .delete : .update, resource: ClinicModel.appointment(current),
            objectType: "appointment", objectID: current.id, subjectID: current.patientID, details: ["status": target.rawValue])
        let now = Clock.nowSeconds(), userID = user.id
        let database = context.gate.database
        var expected = current
        expected.status = target
        let notifier = Notifier(context: context)
        // Reminders stand while the appointment holds its slot; the other side hears of a
        // confirmation or a cancellation.
        let reminders = try notifier.reminders(for: expected, now: now)
        let told =
            [.confirmed, .cancelled].contains(target) ? try notifier.appointmentChange(expected, what: target.rawValue, by: userID, now: now) : []
        let changed = try await database.write { transaction in
            let changed = try transaction.setStatus(appointmentID: current.id, to: target, allowedFrom: from, by: userID, at: now)
            try transaction.replaceReminders(refID: current.id, with: reminders)
            try transaction.addNotifications(told)
            return changed
        }
        // Told now rather than at the scheduler's next second.
        if !told.isEmpty { try await notifier.deliverDue() }
        return try info(changed)
    }

    func listAppointments(_ request: AppointmentList, _ user: UserRecord) async throws -> [AppointmentInfo] {
        let whose = try request.userID.map { try lookUp(id: $0, what: "user") } ?? user
        let party: WardDatabase.Party = whose.role == .patient ? .patient : .clinician
        let from = request.startsAt ?? Clock.nowSeconds()
        let database = context.gate.database
        try await allowScheduling(
            user, .appointmentList, code: .read,
            resource: ClinicModel.principal(whose, careTeamsOf: try database.patients(ofClinician: whose.id)),
            objectType: "user", objectID: whose.id, subjectID: whose.role == .patient ? whose.id : "")
        return try database.appointments(of: whose.id, as: party, from: from).map { try info($0) }
    }

    func showAppointment(_ request: NamedAppointment<AppointmentShow>, _ user: UserRecord) async throws -> AppointmentInfo {
        let appointment = try existingAppointment(request.appointmentID)
        try await allowScheduling(
            user, .appointmentShow, code: .read, resource: ClinicModel.appointment(appointment), objectType: "appointment",
            objectID: appointment.id, subjectID: appointment.patientID)
        var shown = try info(appointment)
        // The reason is clinical: a second decision, so the front desk sees the rest without it.
        if let sealed = appointment.sealedReason {
            var reading = Gate.Request(
                principal: user, action: .appointmentReason, resource: ClinicModel.appointment(appointment),
                event: "appointment.reason", code: .read, objectType: "appointment", objectID: appointment.id,
                subjectID: appointment.patientID, secondFactor: hasSecondFactor)
            reading.details = [:]
            if try await context.gate.decide(reading).allowed,
                let opened = try context.subjectKeys.open(sealed, subject: appointment.patientID, scope: "appointments", context: appointment.id)
            {
                shown.reason = String(decoding: opened, as: UTF8.self)
            }
        }
        return shown
    }

    func existingAppointment(_ id: String) throws -> AppointmentRecord {
        guard let appointment = try context.gate.database.appointment(id: id) else {
            throw ReplyError(code: .notFound, message: "no appointment has that id")
        }
        return appointment
    }

    func info(_ appointment: AppointmentRecord) throws -> AppointmentInfo {
        let database = context.gate.database
        return AppointmentInfo(
            appointmentID: appointment.id, patientID: appointment.patientID, clinicianID: appointment.clinicianID, startsAt: appointment.startsAt,
            endsAt: appointment.endsAt, location: appointment.location, status: appointment.status.rawValue, bookedBy: appointment.bookedBy,
            cancelledBy: appointment.cancelledBy, updatedAt: appointment.updatedAt,
            patientName: try database.user(id: appointment.patientID)?.displayName,
            clinicianName: try database.user(id: appointment.clinicianID)?.displayName)
    }

    @discardableResult
    func allowScheduling(
        _ user: UserRecord, _ type: RequestType, code: AuditEvent.Action, resource: Entity, objectType: String,
        objectID: String, subjectID: String = "", details: [String: String] = [:]
    ) async throws -> Gate.Outcome {
        var audited = Gate.Request(
            principal: user, action: try type.decidingAction, resource: resource, event: type.rawValue, code: code,
            objectType: objectType, objectID: objectID, subjectID: subjectID, secondFactor: hasSecondFactor)
        audited.details = details
        let outcome = try await context.gate.require(audited)
        return outcome
    }
}
