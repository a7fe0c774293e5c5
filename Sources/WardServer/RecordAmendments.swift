import Foundation
import WardAudit
import WardProtocol
import WardStore

/// Patients' requests to amend their record (HIPAA 164.526, GDPR Art. 16). The patient asks
/// (`record.amend`, decided by `patient-requests-amendment`); the doctors of the care team are
/// notified and answer within 60 days (`record.amend.decide`, decided as `record.update`): an
/// acceptance is a new version of the entry, made in the same transaction; a denial keeps its
/// written reason. The texts are sealed under the patient's key like the record.
extension RecordService {
    /// record.amendments: a patient's amendment requests, decided like a read of the record.
    func amendments(_ request: NamedPatient<RecordAmendments>, _ user: UserRecord) async throws -> [AmendmentInfo] {
        let patient = try patient(request.patientID)
        try await decideRecord(user, patient, action: .recordRead, type: .recordAmendments, code: .read, details: ["part": "amendments"])
        return try amendments(of: patient.id)
    }

    /// Longest request or denial reason, in characters.
    static let maxAmendmentText = 2000

    private func amendmentText(_ value: String?, _ field: String) throws -> String {
        let text = try require(value, field).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= Self.maxAmendmentText,
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" })
        else {
            throw ReplyError(code: .badRequest, message: "\(field) must be 1-\(Self.maxAmendmentText) characters without control characters")
        }
        return text
    }

    func requestAmendment(_ request: RecordAmend, _ user: UserRecord) async throws -> AmendmentInfo {
        let patient = try patient(request.patientID)
        let entryID = request.entryID
        let text = try amendmentText(request.text, "text")
        let id = "amend:" + OpaqueID.make()
        let database = context.gate.database
        // Found before the decision, so that only an id the server made reaches the audit entry.
        guard let section = try database.recordSection(patientID: patient.id, entryID: entryID) else {
            throw ReplyError(code: .notFound, message: "the record has no entry with that id", subjectID: patient.id)
        }
        try await decideRecord(user, patient, action: .recordAmend, type: .recordAmend, code: .create, details: ["entry": entryID, "amendment": id])
        let now = Clock.nowSeconds()
        let amendment = RecordAmendmentRecord(
            id: id, patientID: patient.id, entryID: entryID, section: section, requestedAt: now,
            dueAt: now + RecordAmendmentRecord.answerSeconds,
            sealedRequest: try context.subjectKeys.seal(Data(text.utf8), subject: patient.id, scope: "record", context: id))
        let notes = try doctorsNotes(
            patientID: patient.id, "A patient asked to amend their record: answer within 60 days (ward record amendments)", at: now)
        try await database.write { transaction in
            try transaction.addAmendment(amendment)
            try transaction.addNotifications(notes)
        }
        if !notes.isEmpty { try await Notifier(context: context).deliverDue() }
        return try info(amendment, now: now)
    }

    func decideAmendment(_ request: RecordAmendDecide, _ user: UserRecord) async throws -> AmendmentInfo {
        let database = context.gate.database
        let id = request.amendmentID
        let verdict = request.verdict
        guard let decision = RecordAmendmentRecord.Status(rawValue: verdict), decision != .requested else {
            throw ReplyError(code: .badRequest, message: "verdict must be accepted or denied")
        }
        guard var amendment = try database.amendment(id: id) else { throw ReplyError(code: .notFound, message: "no amendment request has that id") }
        let patient = try lookUp(id: amendment.patientID, what: "patient")
        // An acceptance carries the amended resource; a denial its reason (HIPAA 164.526(d)(1)).
        let resource =
            decision == .accepted ? try validatedResource(section: amendment.section, text: try require(request.resource, "resource")) : nil
        let reason = decision == .denied ? try amendmentText(request.reason, "reason") : nil
        let versionID = "rec:" + OpaqueID.make()
        var details = ["amendment": id, "verdict": verdict, "entry": amendment.entryID]
        if resource != nil { details["version-id"] = versionID }
        try await decideRecord(user, patient, action: .recordUpdate, type: .recordAmendDecide, code: .update, details: details)
        let now = Clock.nowSeconds()
        var version: RecordEntryRecord?
        if let resource {
            // An accepted amendment keeps the entry's withholding, as any new version does.
            version = try sealedVersion(
                resource, id: versionID, section: amendment.section, entryID: amendment.entryID, patient: patient, author: user,
                withheld: try database.recordWithholding(patientID: patient.id, entryID: amendment.entryID))
            amendment.versionID = versionID
        }
        if let reason {
            amendment.sealedResponse = try context.subjectKeys.seal(
                Data(reason.utf8), subject: patient.id, scope: "record", context: id + ":response")
        }
        amendment.status = decision
        amendment.decidedBy = user.id
        amendment.decidedAt = now
        let note = NotificationRecord(
            userID: patient.id, kind: .amendment, text: "Your request to amend your record was answered (ward record amendments)",
            refID: patient.id, createdAt: now, dueAt: now)
        let (decided, newVersion) = (amendment, version)
        do {
            try await database.write { transaction in
                try transaction.decideAmendment(decided, version: newVersion)
                try transaction.addNotifications([note])
            }
        } catch RecordRefusal.alreadyDecided {
            throw ReplyError(code: .conflict, message: "that amendment request has an answer already")
        } catch RecordRefusal.noSuchEntry {
            throw ReplyError(code: .notFound, message: "the entry the request names is gone")
        }
        try await Notifier(context: context).deliverDue()
        return try info(decided, now: now)
    }

    /// After a denial the patient may file a statement of disagreement (HIPAA 164.526(d)(1)(iii)):
    /// once, kept with the request and shown wherever the request is, the doctors notified.
    func disagree(_ request: RecordAmendDisagree, _ user: UserRecord) async throws -> AmendmentInfo {
        let database = context.gate.database
        let id = request.amendmentID
        let text = try amendmentText(request.text, "text")
        guard let amendment = try database.amendment(id: id) else { throw ReplyError(code: .notFound, message: "no amendment request has that id") }
        let patient = try lookUp(id: amendment.patientID, what: "patient")
        try await decideRecord(
            user, patient, action: .recordAmend, type: .recordAmendDisagree, code: .update,
            details: ["amendment": id, "entry": amendment.entryID])
        guard amendment.acceptsDisagreement else {
            throw ReplyError(code: .conflict, message: "a statement of disagreement follows a denial, once")
        }
        let now = Clock.nowSeconds()
        let sealed = try context.subjectKeys.seal(Data(text.utf8), subject: patient.id, scope: "record", context: id + ":disagreement")
        let notes = try doctorsNotes(patientID: patient.id, "A patient disagrees with a denied amendment (ward record amendments)", at: now)
        do {
            try await database.write { transaction in
                try transaction.addDisagreement(amendmentID: id, sealed: sealed, at: now)
                try transaction.addNotifications(notes)
            }
        } catch RecordRefusal.alreadyDecided {
            throw ReplyError(code: .conflict, message: "a statement of disagreement follows a denial, once")
        }
        if !notes.isEmpty { try await Notifier(context: context).deliverDue() }
        guard let stored = try database.amendment(id: id) else { throw ReplyError(code: .notFound, message: "no amendment request has that id") }
        return try info(stored, now: now)
    }

    /// Notifications for the active doctors of the patient's care team, who answer amendments.
    private func doctorsNotes(patientID: String, _ text: String, at now: Int64) throws -> [NotificationRecord] {
        let database = context.gate.database
        return try database.careTeam(ofPatient: patientID).compactMap { try database.user(id: $0) }.filter { $0.role == .doctor && $0.active }
            .map { NotificationRecord(userID: $0.id, kind: .amendment, text: text, refID: patientID, createdAt: now, dueAt: now) }
    }

    func amendments(of patientID: String) throws -> [AmendmentInfo] {
        let now = Clock.nowSeconds()
        return try context.gate.database.amendments(patientID: patientID).map { try info($0, now: now) }
    }

    private func info(_ amendment: RecordAmendmentRecord, now: Int64) throws -> AmendmentInfo {
        let opener = try context.subjectKeys.opener(subject: amendment.patientID, scope: "record")
        let request = try opener.openBytes(amendment.sealedRequest, context: amendment.id).map { String(decoding: $0, as: UTF8.self) }
        let response = try amendment.sealedResponse.flatMap { try opener.openBytes($0, context: amendment.id + ":response") }
            .map { String(decoding: $0, as: UTF8.self) }
        let disagreement = try amendment.sealedDisagreement.flatMap { try opener.openBytes($0, context: amendment.id + ":disagreement") }
            .map { String(decoding: $0, as: UTF8.self) }
        return AmendmentInfo(
            amendmentID: amendment.id, patientID: amendment.patientID, entryID: amendment.entryID, section: amendment.section.rawValue,
            requestedAt: amendment.requestedAt, dueAt: amendment.dueAt, status: amendment.status.rawValue,
            request: request ?? "(erased)", decidedBy: amendment.decidedBy, decidedAt: amendment.decidedAt, response: response,
            versionID: amendment.versionID, overdue: amendment.status == .requested && now > amendment.dueAt,
            disagreement: disagreement, disagreedAt: amendment.disagreedAt)
    }
}
