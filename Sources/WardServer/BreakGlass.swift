import Foundation
import Synchronization
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

/// Emergency ("break-glass") access to a record: declared with a reason, decided and timed by
/// the policies, told to the privacy officer at once, and reviewed by them afterwards.
extension RecordService {
    /// How long a declared emergency access lasts when the deciding policy does not say
    /// (`@accessMinutes("N")`, 1-1440).
    static let breakGlassSeconds: Int64 = 60 * 60

    /// The access's length from the deciding policies' `@accessMinutes` (the shortest), else the default.
    static func breakGlassLength(_ obligations: [String: [String: String]]) -> Int64 {
        let minutes = obligations.values.compactMap { $0["accessMinutes"].flatMap { Int64($0) } }.filter { (1...1440).contains($0) }
        return minutes.min().map { $0 * 60 } ?? breakGlassSeconds
    }

    func openBreakGlass(_ request: BreakGlassOpen, _ user: UserRecord) async throws -> BreakGlassInfo {
        let patient = try patient(request.patientID)
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 20, reason.count <= 1000, !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ReplyError(code: .badRequest, message: "the reason must be a sentence: 20-1000 characters without control characters")
        }
        // The reason is free text: the log holds only its commitment.
        let commitment = try context.auditTexts.commit(reason)
        var audited = Gate.Request(
            principal: user, action: .recordRead, resource: ClinicModel.record(patientID: patient.id),
            context: ["breakGlass": .bool(true), "breakGlassReasonLength": .long(Int64(reason.count))],
            event: RequestType.breakGlassOpen.rawValue, code: .execute, objectType: "record", objectID: patient.id,
            subjectID: patient.id, secondFactor: hasSecondFactor)
        audited.commitments = [commitment]
        let outcome = try await context.gate.require(audited)
        // A refused declaration keeps its reason too: an attempt is what a reviewer wants to see.
        let now = Clock.nowSeconds()
        let access = BreakGlassRecord(
            clinicianID: user.id, patientID: patient.id, reasonCommitment: commitment.hex, reasonLength: reason.count,
            startedAt: now, endsAt: now + Self.breakGlassLength(outcome.response.obligations))
        // The privacy officers hear of it at once (the policy's @notify obligation).
        let notify = outcome.response.obligations.values.contains { $0["notify"] == "privacy-officer" }
        let officers = notify ? try context.gate.database.allUsers().filter { $0.role == .privacyOfficer && $0.active } : []
        let notes = officers.map {
            NotificationRecord(
                userID: $0.id, kind: .breakglass, text: "Emergency access to a patient's record: review it (wardctl breakglass review)",
                refID: patient.id, createdAt: now, dueAt: now)
        }
        let opened = try await context.gate.database.write { transaction in
            let opened = try transaction.openBreakGlass(access)
            try transaction.addNotifications(notes)
            return opened
        }
        if !notes.isEmpty { try await Notifier(context: context).deliverDue() }
        return try info(opened, now: now)
    }

    /// breakglass.list, and breakglass.review with the `review` (which use, what verdict): the
    /// uses waiting for review, or `all` of them, after the verdict is recorded.
    func reviewBreakGlass(
        _ type: RequestType, verdict review: (breakGlassID: Int, verdict: String)?, all: Bool, _ user: UserRecord
    ) async throws -> [BreakGlassInfo] {
        let database = context.gate.database
        var verdict: BreakGlassRecord.Verdict?
        if let review {
            verdict = BreakGlassRecord.Verdict(rawValue: review.verdict)
            guard verdict != nil else {
                throw ReplyError(code: .badRequest, message: "verdict must be justified or unjustified")
            }
        }
        try await PrivacyService(scope: scope).allowPrivacy(
            user, action: .breakGlassReview, type: type, code: review != nil ? .update : .read, subject: nil,
            details: review.map { ["breakglass": "\($0.breakGlassID)", "verdict": verdict?.rawValue ?? ""] } ?? [:])
        let now = Clock.nowSeconds()
        if let verdict, let id = review?.breakGlassID {
            let reviewer = user.id
            do {
                _ = try await database.write { try $0.reviewBreakGlass(id: Int64(id), verdict: verdict, by: reviewer, at: now) }
            } catch RecordRefusal.noSuchBreakGlass {
                throw ReplyError(code: .notFound, message: "no emergency access has that id")
            } catch RecordRefusal.alreadyReviewed {
                throw ReplyError(code: .conflict, message: "that emergency access has a verdict already")
            }
        }
        return try database.breakGlassUses(all: all).map { try info($0, now: now) }
    }

    /// Unreviewed after this long, a use is overdue.
    static let breakGlassReviewSeconds: Int64 = 72 * 3600

    func info(_ use: BreakGlassRecord, now: Int64) throws -> BreakGlassInfo {
        let reason = try PrivacyService(scope: scope).erasableText(committedTo: use.reasonCommitment)
        return BreakGlassInfo(
            breakGlassID: Int(use.id ?? 0), clinicianID: use.clinicianID, patientID: use.patientID, startedAt: use.startedAt,
            endsAt: use.endsAt, reviewedAt: use.reviewedAt, reviewedBy: use.reviewedBy, verdict: use.verdict?.rawValue,
            overdue: use.reviewedAt == nil && now - use.startedAt > Self.breakGlassReviewSeconds, reason: reason)
    }
}
