import Foundation
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// When clinicians see patients: open hours they add and remove (scheduling.cedar decides who).
extension SchedulingService {
    func clinician(_ id: String) throws -> UserRecord {
        let account = try lookUp(id: id, what: "clinician")
        guard account.role.isClinician, account.active else {
            throw ReplyError(code: .badRequest, message: "that account is not an active Doctor or Nurse")
        }
        return account
    }

    func addAvailability(_ request: AvailabilityAdd, _ user: UserRecord) async throws -> [AvailabilityInfo] {
        let clinician = try clinician(request.clinicianID ?? user.id)
        guard let kind = AvailabilityRecord.Kind(rawValue: request.kind) else {
            throw ReplyError(code: .badRequest, message: "kind must be weekly, open or closed")
        }
        let slotMinutes = request.slotMinutes ?? 30
        let location = request.location ?? "Clinic"
        guard (5...480).contains(slotMinutes) else { throw ReplyError(code: .badRequest, message: "slotMinutes must be 5-480") }
        guard (1...100).contains(location.count), !location.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ReplyError(code: .badRequest, message: "location must be 1-100 characters without control characters")
        }
        var entry = AvailabilityRecord(
            clinicianID: clinician.id, kind: kind, slotMinutes: slotMinutes, location: location, createdAt: Clock.nowSeconds())
        switch kind {
        case .weekly:
            let weekday = try require(request.weekday, "weekday"), start = try require(request.startMinute, "startMinute")
            let end = try require(request.endMinute, "endMinute")
            guard (1...7).contains(weekday) else { throw ReplyError(code: .badRequest, message: "weekday must be 1 (Monday) to 7 (Sunday)") }
            guard (0..<1440).contains(start), (start + slotMinutes...1440).contains(end) else {
                throw ReplyError(code: .badRequest, message: "startMinute and endMinute are minutes after midnight (0-1440), at least one slot apart")
            }
            (entry.weekday, entry.startMinute, entry.endMinute) = (weekday, start, end)
        case .open, .closed:
            let start = try require(request.startsAt, "startsAt"), end = try require(request.endsAt, "endsAt")
            guard end > start, end - start <= SlotCalendar.maxBlockSeconds else {
                throw ReplyError(code: .badRequest, message: "endsAt must be after startsAt, at most 31 days later")
            }
            (entry.startsAt, entry.endsAt) = (start, end)
        }
        try await allowScheduling(
            user, .availabilityAdd, code: .create, resource: ClinicModel.principal(clinician, careTeamsOf: []),
            objectType: "user", objectID: clinician.id, details: ["kind": kind.rawValue])
        let added = entry
        _ = try await context.gate.database.write { try $0.addAvailability(added) }
        return try context.gate.database.availability(clinicianID: clinician.id).map(Self.info)
    }

    func removeAvailability(_ request: AvailabilityRemove, _ user: UserRecord) async throws -> [AvailabilityInfo] {
        let clinician = try clinician(request.clinicianID ?? user.id)
        let id = Int64(request.availabilityID)
        try await allowScheduling(
            user, .availabilityRemove, code: .delete, resource: ClinicModel.principal(clinician, careTeamsOf: []),
            objectType: "user", objectID: clinician.id, details: ["availability": "\(id)"])
        let clinicianID = clinician.id
        guard try await context.gate.database.write({ try $0.removeAvailability(id: id, clinicianID: clinicianID) }) else {
            throw ReplyError(code: .notFound, message: "the clinician has no availability entry with that id")
        }
        return try context.gate.database.availability(clinicianID: clinician.id).map(Self.info)
    }
}
