import Foundation
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore
import WardPersonalData

/// GDPR Art. 17: erasure requests, their execution, and legal holds. A person files a request
/// for themselves (or a privacy officer files one for them); a privacy officer executes it. The
/// erasure follows the registry (WardPersonalData/PersonalData.swift): what it lets erase is deleted or
/// crypto-shredded (the person's data keys are destroyed), the account is pseudonymised, and what
/// a legal obligation or a legal hold keeps is kept and named in the receipt.
extension PrivacyService {
    /// gdpr.purge: the officer runs the retention job now (it also runs every hour by itself).
    func purgeNow(_ user: UserRecord) async throws -> Reply.Purge {
        try await allowPrivacy(user, action: .gdprRetention, type: .gdprPurge, code: .delete, subject: nil)
        return Reply.Purge(purgeReceipt: try await RetentionJob(context: context).run(actorID: user.id, actorRole: user.role.rawValue))
    }

    /// The controller has one month to act on a request (Art. 12(3)): the same day of the next
    /// calendar month, in UTC.
    static func erasureDeadline(after time: Int64) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let start = Date(timeIntervalSince1970: TimeInterval(time))
        return Int64((calendar.date(byAdding: .month, value: 1, to: start) ?? start.addingTimeInterval(31 * 86_400)).timeIntervalSince1970)
    }

    func fileErasureRequest(_ filing: GDPREraseRequest, _ user: UserRecord) async throws -> Reply.ErasureRequests {
        let subject = try filing.userID.map { try lookUp(id: $0, what: "user") } ?? user
        if let note = filing.note {
            guard (1...2000).contains(note.count), !note.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" })
            else {
                throw ReplyError(code: .badRequest, message: "note must be 1-2000 characters without control characters other than line breaks")
            }
        }
        try await allowPrivacy(user, action: .gdprEraseRequest, type: .gdprEraseRequest, code: .create, subject: subject)
        let now = Clock.nowSeconds()
        var record = try await context.gate.database.write { transaction in
            try transaction.fileErasureRequest(
                ErasureRequestRecord(userID: subject.id, requestedBy: user.id, requestedAt: now, dueAt: Self.erasureDeadline(after: now)))
        }
        // The note is free text about the person: the log holds only a commitment to it, the
        // text stays in the erasable store, and the erasure erases it (audit/FORMAT.md §7).
        if let note = filing.note, record.noteCommitment == nil {
            let commitment = try context.auditTexts.commit(note)
            try await context.gate.audit.append(
                AuditEvent(
                    type: "gdpr.erase.request.note", action: .create, actorID: user.id, actorRole: user.role.rawValue, objectType: "erasure-request",
                    objectID: "\(record.id ?? 0)", subjectID: subject.id, commitments: [commitment]))
            record.noteCommitment = commitment.hex
            let noted = record
            try await context.gate.database.write { try $0.updateErasureRequest(noted) }
        }
        return Reply.ErasureRequests(erasureRequests: [try info(record, now: now)])
    }

    func listErasureRequests(_ listing: Listing<GDPRRequests>, _ user: UserRecord) async throws -> Reply.ErasureRequests {
        try await allowPrivacy(user, action: .gdprRequests, type: .gdprRequests, code: .read, subject: nil)
        let now = Clock.nowSeconds()
        return Reply.ErasureRequests(
            erasureRequests: try context.gate.database.erasureRequests(includeDone: listing.kind == "all").map { try info($0, now: now) })
    }

    func info(_ record: ErasureRequestRecord, now: Int64) throws -> ErasureRequestInfo {
        let note = try erasableText(committedTo: record.noteCommitment)
        return ErasureRequestInfo(
            requestID: Int(record.id ?? 0), userID: record.userID, requestedBy: record.requestedBy,
            requestedAt: record.requestedAt, dueAt: record.dueAt, status: record.status.rawValue,
            overdue: record.status != .done && now > record.dueAt, completedAt: record.completedAt, note: note)
    }

    /// The text behind a commitment the database keeps (hex), nil once erased (or when there is none).
    func erasableText(committedTo hex: String?) throws -> String? {
        guard let commitment = hex.flatMap(Hex.decode).flatMap(Hash32.init(bytes:)) else { return nil }
        return try context.auditTexts.reveal(commitment)
    }

    // MARK: Executing an erasure

    /// Messages deleted per write: small enough that the writes of everyone else go in between.

    /// Executes an erasure. One the person did not ask for waits for a second privacy officer
    /// (issue 16, item 8) unless `approved` (approval.decide runs it) or no other privacy officer
    /// could approve.
    func erase(_ erasure: GDPRErase, officer: UserRecord, approved: Bool = false) async throws -> Reply.Erasure {
        let subject = try lookUp(id: erasure.userID, what: "user")
        guard subject.id != officer.id else {
            throw ReplyError(code: .badRequest, message: "an erasure of one's own account is executed by another privacy officer")
        }
        let gate = context.gate
        let database = gate.database
        let holds = try database.legalHolds()
        if let hold = holds.first(where: { $0.userID == subject.id }) {
            try await gate.record(
                RequestType.gdprErase.rawValue, code: .delete, outcome: .minorFailure, actorID: officer.id, actorRole: officer.role.rawValue,
                objectType: "user", objectID: subject.id, details: ["reason": "legal-hold", "hold": "\(hold.id ?? 0)"])
            throw ReplyError(
                code: .legalHold, message: "legal hold \(hold.id ?? 0) keeps this person's data: release it (gdpr.hold.release) before erasing")
        }
        let keptRooms = Set(holds.compactMap(\.roomID))
        let outcome = try await allowPrivacy(
            officer, action: .gdprErase, type: .gdprErase, code: .delete, subject: subject,
            details: ["held-rooms": "\(keptRooms.count)"])
        let askedThemselves = try database.erasureRequests(userID: subject.id).contains { $0.requestedBy == subject.id && $0.status != .done }
        if !approved, !askedThemselves, try AccountService(scope: scope).waitsForSecondPerson(.gdprErase, requester: officer) {
            return Reply.Erasure(
                waitingFor: try await AccountService(scope: scope).pendingApproval(
                    .gdprErase, subject: subject.id, requester: officer))
        }
        let now = Clock.nowSeconds()
        // Marked as started first: an erasure cut short (a crash, a restart) stays listed as
        // `erasing`, and running it again finishes it (every step below can be repeated).
        let record = try await database.write { transaction in
            var record = try transaction.fileErasureRequest(
                ErasureRequestRecord(userID: subject.id, requestedBy: officer.id, requestedAt: now, dueAt: Self.erasureDeadline(after: now)))
            record.status = .erasing
            try transaction.updateErasureRequest(record)
            return record
        }
        context.hub.endSessions(ofUser: subject.id)

        // Crypto-shredding first: once the keys are gone, every copy of the person's messages —
        // in backups, in the WAL, in rows not yet deleted — is unreadable.
        let hub = context.hub
        let subjectID = subject.id
        let execution = ErasureExecution(database: database, subjectKeys: context.subjectKeys, auditTexts: context.auditTexts, audit: gate.audit)
        let done = try await execution.run(
            subjectID: subject.id, keptRooms: keptRooms, actorID: officer.id, actorRole: officer.role.rawValue,
            policyIDs: outcome.response.determiningPolicies
        ) { erased in
            for left in erased.leftRooms {
                hub.post(Events.membership(.memberLeft, roomID: left.roomID, userID: subjectID, epoch: left.epoch), toUsers: left.members)
            }
        }
        // Kept apart from the data directory, so that a restore from an older backup erases them again.
        try context.erasureJournal?.append(.init(subjectID: subject.id, erasedAt: Clock.nowSeconds(), keptRooms: keptRooms.sorted()))
        return Reply.Erasure(
            erasureReceipt: try await finishErasure(record, of: subject, by: officer, done: done, decisionSeq: Int(outcome.receipt.seq)))
    }

    /// The erasure's receipt: kept with the request (now done), its hash in the audit log, so the
    /// receipt in the database can be checked against the log.
    func finishErasure(
        _ started: ErasureRequestRecord, of subject: UserRecord, by officer: UserRecord, done: ErasureExecution.Result, decisionSeq: Int
    ) async throws -> ErasureReceipt {
        let (keysDestroyed, messagesErased, erased, tombstones) = (done.keysDestroyed, done.messagesErased, done.account, done.auditTombstones)
        var record = started
        let receipt = ErasureReceipt(
            requestID: Int(record.id ?? 0), subjectID: subject.id, requestedAt: record.requestedAt, dueAt: record.dueAt,
            executedAt: Clock.nowSeconds(), executedBy: officer.id,
            items: Self.receiptItems(erased, messagesErased: messagesErased),
            keysDestroyed: keysDestroyed, auditTombstones: tombstones, auditSeq: decisionSeq
        )
        let receiptJSON = try JSONEncoder.sortedKeys.encode(receipt)
        record.status = .done
        record.completedAt = receipt.executedAt
        record.completedBy = officer.id
        record.receipt = receiptJSON
        let finished = record
        try await context.gate.database.write { try $0.updateErasureRequest(finished) }
        try await context.gate.record(
            "gdpr.erase.receipt", code: .delete, outcome: .success, actorID: officer.id, actorRole: officer.role.rawValue,
            objectType: "user", objectID: subject.id,
            details: [
                "request": "\(receipt.requestID)", "receipt-sha256": Hex.encode(SHA256Hash.digest([UInt8](receiptJSON))),
                "messages": "\(messagesErased)", "keys": "\(keysDestroyed)"
            ])
        return receipt
    }

    /// The receipt's lines in the registry's order: for each kind of data, what was erased and
    /// how, and what was kept with the legal basis for keeping it.
    static func receiptItems(_ erased: WardDatabase.AccountErasure, messagesErased: Int) -> [ErasureItem] {
        PersonalData.kinds.flatMap { kind -> [ErasureItem] in
            let table = kind.table
            var items: [ErasureItem] = []
            if table == "message" {
                items.append(ErasureItem(table: table, name: kind.name, action: "crypto-shredded", count: messagesErased))
            } else if let count = erased.shredded[table] {
                items.append(ErasureItem(table: table, name: kind.name, action: "crypto-shredded", count: count))
            } else if let count = erased.deleted[table] {
                items.append(ErasureItem(table: table, name: kind.name, action: "deleted", count: count))
            }
            if let count = erased.pseudonymised[table] {
                // Conversations are their other members' too: only the name goes.
                let basis =
                    table == "room"
                    ? "the conversation is also its other members' (Art. 17(3)(b), HIPAA 164.530(j)); its name is overwritten" : kind.hold
                items.append(ErasureItem(table: table, name: kind.name, action: "pseudonymised", count: count, legalBasis: basis))
            }
            if let count = erased.kept[table], count > 0 {
                let held = table == "message" || table == "senderKey"
                // (Completed appointments are kept under the registry's hold: the medical record.)
                items.append(
                    ErasureItem(
                        table: table, name: kind.name, action: "kept", count: count,
                        legalBasis: held ? "a legal hold on the conversation (Art. 17(3)(e))" : (kind.hold ?? kind.legalBasis)))
            }
            return items
        }
    }

    // MARK: Legal holds

    /// gdpr.hold.place (`placing`), gdpr.hold.release (`releasing`, a hold's id), gdpr.holds
    /// (neither): the change, then the holds in force (with `includeReleased`, every one).
    func manageHolds(
        _ type: RequestType, placing place: GDPRHoldPlace?, releasing holdID: Int?, includeReleased: Bool,
        _ user: UserRecord
    ) async throws -> Reply.LegalHolds {
        let database = context.gate.database
        let now = Clock.nowSeconds()
        if let place {
            let reference = place.reference
            guard (1...200).contains(reference.count), !reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ReplyError(code: .badRequest, message: "reference must be 1-200 characters without control characters")
            }
            guard (place.userID == nil) != (place.roomID == nil) else {
                throw ReplyError(code: .badRequest, message: "name either userID (a person) or roomID (a conversation)")
            }
            if let userID = place.userID { _ = try lookUp(id: userID, what: "user") }
            if let roomID = place.roomID, try database.room(id: roomID) == nil { throw ReplyError(code: .notFound, message: "no such room") }
            try await allowPrivacy(
                user, action: .gdprHold, type: type, code: .create, subject: nil,
                details: place.userID.map { ["user": $0] } ?? ["room": place.roomID ?? ""])
            let hold = LegalHoldRecord(userID: place.userID, roomID: place.roomID, reference: reference, placedBy: user.id, placedAt: now)
            _ = try await database.write { try $0.placeHold(hold) }
        } else if let holdID {
            guard try database.legalHolds().contains(where: { $0.id == Int64(holdID) }) else {
                throw ReplyError(code: .notFound, message: "no standing legal hold has that id")
            }
            try await allowPrivacy(user, action: .gdprHold, type: type, code: .update, subject: nil, details: ["hold": "\(holdID)"])
            let userID = user.id
            guard try await database.write({ try $0.releaseHold(id: Int64(holdID), by: userID, at: now) }) != nil else {
                throw ReplyError(code: .notFound, message: "no standing legal hold has that id")
            }
        } else {
            try await allowPrivacy(user, action: .gdprHold, type: type, code: .read, subject: nil)
        }
        return Reply.LegalHolds(
            legalHolds: try database.legalHolds(includeReleased: includeReleased).map {
                LegalHoldInfo(
                    holdID: Int($0.id ?? 0), userID: $0.userID, roomID: $0.roomID, reference: $0.reference, placedBy: $0.placedBy,
                    placedAt: $0.placedAt, releasedAt: $0.releasedAt)
            })
    }

    /// Decides and audits a privacy duty about `subject` (or the service); throws when refused.
    @discardableResult
    func allowPrivacy(
        _ user: UserRecord, action: PolicyAction, type: RequestType, code: AuditEvent.Action, subject: UserRecord?,
        details: [String: String] = [:]
    ) async throws -> Gate.Outcome {
        var audited = Gate.Request(
            principal: user, action: action,
            resource: subject.map { ClinicModel.principal($0, careTeamsOf: []) } ?? Entity(uid: ClinicModel.service),
            event: type.rawValue, code: code, objectType: subject == nil ? "service" : "user", objectID: subject?.id ?? "ward",
            subjectID: subject?.id ?? "", secondFactor: hasSecondFactor)
        audited.details = details
        let outcome = try await context.gate.require(audited)
        return outcome
    }
}
