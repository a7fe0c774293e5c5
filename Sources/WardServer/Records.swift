import Foundation
import Synchronization
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

/// Patient records and emergency (break-glass) access. Entries are FHIR R4 resources, stored
/// sealed under the patient's data key, each change a new version; every read and write is one
/// policy decision and one audit entry (records.cedar). A clinician outside the care team reads
/// only after declaring an emergency with a reason: the reason goes to the audit log's erasable
/// store as a commitment, the entry is critical, the privacy officers are notified, and the use
/// waits in their review queue.
extension RecordService {
    /// record.read: a page of the record; the record's amendment requests travel with its first
    /// page, so a disputed entry is read with its dispute (164.526(d)(4)).
    func readRecordPage(_ read: RecordRead, _ user: UserRecord) async throws -> Reply.RecordPage {
        let (entries, next, withheld) = try await readRecord(read, user)
        let amendments = (read.after ?? 0) == 0 ? try amendments(of: read.patientID) : nil
        return Reply.RecordPage(recordEntries: entries, next: next, withheld: withheld, amendments: amendments)
    }

    /// The patient a record request names: an account, and a patient's.
    func patient(_ patientID: String) throws -> UserRecord {
        let patient = try lookUp(id: patientID, what: "patient")
        guard patient.role == .patient else { throw ReplyError(code: .badRequest, message: "patientID does not name a Patient account") }
        return patient
    }

    /// What every record decision carries: whether the clinician has an open emergency access.
    func recordContext(_ user: UserRecord, patientID: String) throws -> [String: Value] {
        guard let open = try context.gate.database.openBreakGlass(clinicianID: user.id, patientID: patientID, at: Clock.nowSeconds()) else {
            return ["breakGlass": .bool(false)]
        }
        // The reason's length as declared: the policy asks for a sentence.
        return ["breakGlass": .bool(true), "breakGlassReasonLength": .long(Int64(open.reasonLength))]
    }

    /// One decision and audit entry about the patient's record; throws when denied.
    func decideRecord(
        _ user: UserRecord, _ patient: UserRecord, action: PolicyAction, type: RequestType, code: AuditEvent.Action,
        details: [String: String], extraContext: [String: Value] = [:]
    ) async throws {
        try await context.gate.require(
            recordRequest(
                user, patientID: patient.id, action: action, type: type, code: code,
                details: details, extraContext: extraContext))
    }

    func recordRequest(
        _ user: UserRecord, patientID: String, action: PolicyAction, type: RequestType, code: AuditEvent.Action,
        details: [String: String], extraContext: [String: Value] = [:]
    ) throws -> Gate.Request {
        var audited = Gate.Request(
            principal: user, action: action, resource: ClinicModel.record(patientID: patientID),
            context: try recordContext(user, patientID: patientID).merging(extraContext) { _, new in new },
            event: type.rawValue, code: code, objectType: "record", objectID: patientID, subjectID: patientID,
            secondFactor: hasSecondFactor)
        audited.details = details
        return audited
    }

    /// A page of the record: from entry `after` (0 first) while the reply stays within the
    /// export page size, where the next page starts, and what was withheld from this reader.
    func readRecord(_ request: RecordRead, _ user: UserRecord) async throws -> ([RecordEntryInfo], Int?, [String: Int]?) {
        let patient = try patient(request.patientID)
        let section = try request.section.map(Self.section)
        let after = request.after ?? 0
        guard after >= 0 else { throw ReplyError(code: .badRequest, message: "after must not be negative") }
        try await decideRecord(
            user, patient, action: .recordRead, type: .recordRead, code: .read,
            details: ["section": request.section ?? "all", "history": request.history == true ? "yes" : "no", "after": "\(after)"])
        return try await recordPage(
            patientID: patient.id, section: section, history: request.history == true, after: after, reader: user,
            type: .recordRead)
    }

    /// Entries from index `after` while a reply stays within the export page size, where the
    /// next page starts (nil on the last), and the entries withheld from `reader` by basis:
    /// `record.read` and the export's `records` section. Entries withheld from the patient's own
    /// view (HIPAA 164.524(a)) are shown only when the policy allows `record.read.withheld` — its
    /// own decision and audit entry, made only when the record has such entries.
    func recordPage(
        patientID: String, section: RecordSection?, history: Bool, after: Int, reader: UserRecord,
        type: RequestType
    ) async throws -> ([RecordEntryInfo], Int?, [String: Int]?) {
        var stored = try context.gate.database.recordEntries(patientID: patientID, section: section, history: history)
        var withheld: [String: Int]?
        let withholding = stored.compactMap(\.withheld)
        if !withholding.isEmpty {
            let outcome = try await context.gate.decide(
                recordRequest(
                    reader, patientID: patientID, action: .recordReadWithheld, type: type,
                    code: .read, details: ["withheld-entries": "\(withholding.count)"]))
            if !outcome.allowed {
                withheld = Dictionary(withholding.map { ($0.rawValue, 1) }, uniquingKeysWith: +)
                stored.removeAll { $0.withheld != nil }
            }
        }
        // The page's extent from the sealed sizes (a resource is its sealed form less 41 bytes
        // of format, nonce and tag), so that only what the page holds is decrypted.
        var end = min(after, stored.count)
        var bytes = 0
        while end < stored.count {
            // About 250 bytes of fields beside the resource; escaping its quotes adds about a tenth.
            let size = 250 + max(0, stored[end].sealed.count - 41) * 11 / 10
            if bytes + size > scope.limits.exportPageBytes && end > after { break }
            bytes += size
            end += 1
        }
        let page = try Self.open(Array(stored[min(after, end)..<end]), with: try context.subjectKeys.opener(subject: patientID, scope: "record"))
        return (page, end < stored.count ? end : nil, withheld)
    }

    /// Opens a page's entries; a large page on two threads (the request's own and one more),
    /// since decrypting a thousand entries is a millisecond or two the reader waits for.
    static func open(_ entries: [RecordEntryRecord], with opener: SubjectKeys.Opener) throws -> [RecordEntryInfo] {
        guard entries.count >= 256 else { return try entries.map { try open($0, with: opener) } }
        let halves = [entries[..<(entries.count / 2)], entries[(entries.count / 2)...]]
        let opened = Mutex<[Result<[RecordEntryInfo], any Error>?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            let result = Result { try halves[half].map { try open($0, with: opener) } }
            opened.withLock { $0[half] = result }
        }
        return try opened.withLock { results in try results.flatMap { try ($0 ?? .success([])).get() } }
    }

    func open(_ entry: RecordEntryRecord) throws -> RecordEntryInfo {
        try Self.open(entry, with: try context.subjectKeys.opener(subject: entry.patientID, scope: "record"))
    }

    static func open(_ entry: RecordEntryRecord, with opener: SubjectKeys.Opener) throws -> RecordEntryInfo {
        guard let json = try opener.openBytes(entry.sealed, context: entry.id) else {
            throw ReplyError(code: .notFound, message: "the record's key was destroyed")
        }
        return RecordEntryInfo(
            versionID: entry.id, entryID: entry.entryID, section: entry.section.rawValue, version: entry.version, authorID: entry.authorID,
            authorRole: entry.authorRole.rawValue, createdAt: entry.createdAt, resource: String(decoding: json, as: UTF8.self))
    }

    /// Largest resource a version may hold.
    static let maxResourceBytes = 16 * 1024

    func writeRecord(_ request: RecordWrite, _ user: UserRecord) async throws -> [RecordEntryInfo] {
        let patient = try patient(request.patientID)
        let section = try Self.section(request.section)
        let resource = try validatedResource(section: section, text: request.resource)
        // `withhold`: a basis, `none` to release the entry, or absent to keep what it had.
        let asked = try request.withhold.map { name -> WithholdingBasis? in
            if name == "none" { return nil }
            guard let basis = WithholdingBasis(rawValue: name) else {
                throw ReplyError(code: .badRequest, message: "withhold must be one of \(WithholdingBasis.names), none")
            }
            return basis
        }
        // An entry to amend must exist in this section of this patient's record before its id
        // reaches the audit entry: only ids the server made reach the log (issue 16, item 7).
        // Entry ids are 128 random bits, so answering not_found first tells nobody anything.
        if let named = request.entryID, try context.gate.database.recordSection(patientID: patient.id, entryID: named) != section {
            throw ReplyError(code: .notFound, message: "the patient's \(section.rawValue) has no entry with that id", subjectID: patient.id)
        }
        let entryID = request.entryID ?? "entry:" + OpaqueID.make()
        let versionID = "rec:" + OpaqueID.make()
        // A new version of a withheld entry stays withheld unless `none` releases it; touching a
        // withheld entry at all is withholding (only doctors do).
        let previous = request.entryID == nil ? nil : try context.gate.database.recordWithholding(patientID: patient.id, entryID: entryID)
        let withheld = asked ?? previous
        var details = ["section": section.rawValue, "entry": entryID, "version-id": versionID]
        if let withheld { details["withheld"] = withheld.rawValue }
        if previous != nil && withheld == nil { details["released"] = "yes" }
        try await decideRecord(
            user, patient, action: section == .notes ? .recordNote : .recordUpdate, type: .recordWrite,
            code: request.entryID == nil ? .create : .update, details: details,
            extraContext: ["withhold": .bool(withheld != nil || previous != nil)])
        let entry = try sealedVersion(resource, id: versionID, section: section, entryID: entryID, patient: patient, author: user, withheld: withheld)
        let stored: RecordEntryRecord
        do {
            let amending = request.entryID != nil
            stored = try await context.gate.database.write { try $0.addRecordVersion(entry, amending: amending) }
        } catch RecordRefusal.noSuchEntry {
            throw ReplyError(code: .notFound, message: "the patient's \(section.rawValue) has no entry with that id")
        }
        return [try open(stored)]
    }

    /// The section a request names.
    static func section(_ name: String) throws -> RecordSection {
        guard let section = RecordSection(rawValue: name) else {
            throw ReplyError(code: .badRequest, message: "section must be one of \(RecordSection.names)")
        }
        return section
    }

    /// The resource a client sent for `section`, checked (before any decision: it reads nothing).
    func validatedResource(section: RecordSection, text: String) throws -> [String: any Sendable] {
        let resourceType = section.resourceType
        guard text.utf8.count <= Self.maxResourceBytes,
            let resource = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: any Sendable]
        else {
            throw ReplyError(code: .badRequest, message: "resource must be a JSON object of at most \(Self.maxResourceBytes) bytes")
        }
        guard resource["resourceType"] as? String == resourceType else {
            throw ReplyError(code: .badRequest, message: "a \(section.rawValue) entry is a FHIR \(resourceType) (resourceType \"\(resourceType)\")")
        }
        return resource
    }

    /// A new version with the server's part of the resource (its id, its patient, when and by
    /// whom), sealed under the patient's key. Made after the decision: sealing may create the key.
    func sealedVersion(
        _ resource: [String: any Sendable], id versionID: String, section: RecordSection, entryID: String, patient: UserRecord,
        author: UserRecord, withheld: WithholdingBasis?
    ) throws -> RecordEntryRecord {
        var resource = resource
        let now = Clock.nowSeconds()
        resource["id"] = entryID.replacingOccurrences(of: "entry:", with: "")
        resource["meta"] = ["lastUpdated": ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(now))), "source": author.id]
        let reference = ["reference": "Patient/" + patient.id.replacingOccurrences(of: "user:", with: "")]
        switch section {
        case .demographics: break
        case .allergies: resource["patient"] = reference
        case .medications, .problems, .notes: resource["subject"] = reference
        }
        let json = try JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys, .withoutEscapingSlashes])
        let sealed = try context.subjectKeys.seal(json, subject: patient.id, scope: "record", context: versionID)
        return RecordEntryRecord(
            id: versionID, patientID: patient.id, section: section, entryID: entryID, version: 0, authorID: author.id,
            authorRole: author.role, createdAt: now, sealed: sealed, withheld: withheld)
    }
}
