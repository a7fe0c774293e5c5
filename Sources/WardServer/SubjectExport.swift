import Foundation
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// GDPR Art. 15 and 20: a subject's data, page by page. A person exports their own; a privacy
/// officer exports anyone's. Messages are the ciphertext the server holds (the subject's device
/// decrypts its own copy); the accounting of access is every audit entry naming the subject.
/// Every page is decided and audited (`gdpr.export`, with the section and the cursor) before
/// anything is read.
extension PrivacyService {
    func exportSubject(_ export: GDPRExport, _ user: UserRecord) async throws -> Reply.Export {
        let subject = try export.userID.map { try lookUp(id: $0, what: "user") } ?? user
        let section = export.section
        guard ExportPage.sections.contains(section) else {
            throw ReplyError(code: .badRequest, message: "section must be one of \(ExportPage.sections.joined(separator: ", "))")
        }
        let after = export.after ?? 0
        guard after >= 0 else { throw ReplyError(code: .badRequest, message: "after must not be negative") }
        var audited = Gate.Request(
            principal: user, action: .gdprExport, resource: ClinicModel.principal(subject, careTeamsOf: []),
            event: RequestType.gdprExport.rawValue, code: .read, objectType: "user", objectID: subject.id,
            subjectID: subject.id, secondFactor: hasSecondFactor)
        audited.details = ["section": section, "after": "\(after)"]
        try await context.gate.require(audited)
        let database = context.gate.database
        var page = ExportPage(section: section)
        switch section {
        case "account":
            page.account = try account(of: subject)
        case "rooms":
            page.rooms = try database.rooms(ofUser: subject.id).map { room, member, _ in
                ExportRoom(
                    room: Self.info(room), joinedAt: member.joinedAt, firstSeq: member.firstSeq, readSeq: member.readSeq,
                    deliveredSeq: member.deliveredSeq)
            }
        case "messages":
            (page.messages, page.next) = try messagesPage(of: subject, after: after)
        case "records":
            let records = RecordService(scope: scope)
            (page.records, page.next, page.recordsWithheld) = try await records.recordPage(
                patientID: subject.id, section: nil, history: true, after: after,
                reader: user, type: .gdprExport)
            if after == 0 { page.amendments = try records.amendments(of: subject.id) }
        default:
            (page.access, page.next) = try accessPage(of: subject, after: after)
        }
        return Reply.Export(exportPage: page)
    }

    /// A page of the subject's messages (those they sent, and those in their rooms from the point
    /// they could read them), as the server holds them (ciphertext), within the page's byte bound;
    /// `next` where the following page starts.
    func messagesPage(of subject: UserRecord, after: Int) throws -> (messages: [MessageInfo], next: Int?) {
        let database = context.gate.database
        let limit = scope.limits.exportItemsPerPage
        let rows = try database.subjectMessages(userID: subject.id, after: Int64(after), limit: limit)
        var messages: [MessageInfo] = []
        var next: Int?
        var bytes = 0
        for (index, row) in rows.enumerated() {
            // Metadata takes about 400 bytes beside the envelope; the first message always fits.
            bytes += row.message.envelope.count + 400
            if bytes > scope.limits.exportPageBytes && !messages.isEmpty {
                next = Int(rows[index - 1].position)
                break
            }
            if let envelope = try storedEnvelope(row.message) { messages.append(Self.info(row.message, envelope: envelope)) }
        }
        if next == nil, rows.count == limit, let last = rows.last { next = Int(last.position) }
        return (messages, next)
    }

    /// A page of the accounting of access to the subject's data (GDPR Art. 15(1)(c), HIPAA
    /// 164.528): the audit entries naming them, with the actor's name.
    func accessPage(of subject: UserRecord, after: Int) throws -> (access: [AccessRecord], next: Int?) {
        let database = context.gate.database
        // An access record takes under 400 bytes.
        let limit = min(scope.limits.exportItemsPerPage, scope.limits.exportPageBytes / 400)
        var records: [AccessRecord] = []
        var next: Int?
        var names: [String: String?] = [:]
        func add(_ entry: AuditEntry) throws {
            var record = Self.accessRecord(entry)
            let actor = entry.event.actorID
            if names[actor] == nil { names[actor] = .some(try database.user(id: actor)?.displayName) }
            record.actorName = names[actor] ?? nil
            records.append(record)
        }
        // The entries the subject index knows, then the log's tail past what it has read.
        let reader = try AuditLogReader(directory: context.gate.audit.directory)
        let indexed = try database.auditEntries(naming: subject.id, from: Int64(after), limit: limit + 1)
        for seq in indexed.seqs.prefix(limit) {
            if let entry = try reader.entry(at: UInt64(seq)), entry.event.subjectID == subject.id { try add(entry) }
        }
        if indexed.seqs.count > limit {
            next = Int(indexed.seqs[limit])
        } else {
            try reader.walk(from: UInt64(max(after, Int(indexed.indexedUpTo)))) { entry in
                guard entry.event.subjectID == subject.id else { return true }
                guard records.count < limit else {
                    next = Int(entry.seq)
                    return false
                }
                try add(entry)
                return true
            }
        }
        return (records, next)
    }

    private func account(of subject: UserRecord) throws -> ExportAccount {
        let database = context.gate.database
        return ExportAccount(
            profile: Self.info(subject), createdAt: subject.createdAt,
            sessions: try database.sessions(ofUser: subject.id).map {
                ExportSession(createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, secondFactor: $0.secondFactor)
            },
            devices: try database.devices(ofUser: subject.id).map { ExportDevice(keys: Self.publicKeys($0), registeredAt: $0.createdAt) },
            careTeam: try database.careTeam(ofPatient: subject.id), patients: try database.patients(ofClinician: subject.id),
            consents: try database.consents(userID: subject.id).map(ConsentPurposes.info),
            secondFactor: try database.totp(userID: subject.id)?.confirmed ?? false,
            recoveryCodesLeft: try database.recoveryCodeCount(userID: subject.id),
            erasureRequests: try database.erasureRequests(userID: subject.id).map { try info($0, now: Clock.nowSeconds()) },
            appointments: try database.appointments(of: subject.id, as: subject.role == .patient ? .patient : .clinician, from: 0).map {
                appointment in
                var shown = try SchedulingService(scope: scope).info(appointment)
                // The person's own data: a patient's export holds why they came.
                if subject.role == .patient, let sealed = appointment.sealedReason,
                    let opened = try context.subjectKeys.open(sealed, subject: appointment.patientID, scope: "appointments", context: appointment.id)
                {
                    shown.reason = String(decoding: opened, as: UTF8.self)
                }
                return shown
            },
            availability: try database.availability(clinicianID: subject.id).map(Self.info),
            notifications: try database.notifications(userID: subject.id, unreadOnly: false, limit: 10_000).map(Notifier.info),
            mutedNotificationKinds: try database.mutedNotificationKinds(userID: subject.id).map(\.rawValue).sorted()
        )
    }

    static func accessRecord(_ entry: AuditEntry) -> AccessRecord {
        let event = entry.event
        return AccessRecord(
            seq: Int(entry.seq), time: Int64(entry.timeMicros), actorID: event.actorID, actorRole: event.actorRole,
            event: event.type, action: event.action.code, outcome: event.outcome.name, decision: event.decision.name,
            policies: event.policyIDs, objectType: event.objectType, objectID: event.objectID)
    }
}
