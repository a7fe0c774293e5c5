import Foundation
import Testing
import WardAudit
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

/// Patient records and break-glass against a real server: who reads and writes what, versions,
/// encryption at rest, and the emergency access with its review.
@Suite("Records", .serialized)
struct RecordTests {
    static func request(_ type: RequestType, _ configure: (inout ClientRequest) -> Void = { _ in }) -> ClientRequest {
        ConversationTests.request(type, configure)
    }

    @Test func theEmergencyAccessLastsAsLongAsThePolicySays() async throws {
        // The clinic's own policies, with a quarter of an hour instead of the hour.
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let policies = dir.path + "/policies"
        try FileManager.default.copyItem(atPath: ServerHarness.repositoryPolicies, toPath: policies)
        let records = policies + "/records.cedar"
        let text = try String(contentsOfFile: records, encoding: .utf8)
        #expect(text.contains(#"@accessMinutes("60")"#))
        try text.replacingOccurrences(of: #"@accessMinutes("60")"#, with: #"@accessMinutes("15")"#).write(
            toFile: records, atomically: true, encoding: .utf8)
        let server = try await ServerHarness.start(connectionLimits: .unthrottled, policies: policies)
        defer { server.cleanup() }
        let people = try await ConversationTests.accounts(server, [("dr.bob", "Doctor"), ("pat.pia", "Patient")])
        let opened = try await ErasureTests.signedIn(server, people[0]) { b in
            try await b.request(
                Self.request(.breakGlassOpen) {
                    $0.patientID = people[1].userID; $0.reason = "Unconscious on arrival, no team on duty"
                }
            )
            .breakGlassUses?.first
        }
        let use = try #require(opened)
        let seconds: Int64 = use.endsAt - use.startedAt
        #expect(seconds == 900)
    }

    @Test func withheldEntriesLeaveThePatientsViewAndPatientsAskForAmendments() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("nurse.cat", "Nurse"), ("pat.pia", "Patient")])
        let (ann, cat, pia) = (people[0], people[1], people[2])
        try await ErasureTests.signedIn(server, admin) { x in
            for clinician in [ann, cat] {
                try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: clinician.userID))
            }
        }
        let allergy = #"{"resourceType": "AllergyIntolerance", "code": {"text": "latex"}, "reaction": [{"description": "rash"}]}"#
        let session = #"{"resourceType": "DocumentReference", "description": "SESSIONTEXT"}"#
        let allergyEntry = try #require(
            try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws -> RecordEntryInfo? in
                let withheld = Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "notes"; $0.resource = session; $0.withhold = "psychotherapy-notes"
                }
                #expect(try await a.send(withheld).recordEntries?.count == 1)
                let badBasis = Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "notes"; $0.resource = session; $0.withhold = "private"
                }
                #expect(try await a.send(badBasis).code == .badRequest)
                // A section the record does not have, written or read: refused, the sections named.
                let badSection = Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "diary"; $0.resource = session
                }
                let refusedWrite = try await a.send(badSection)
                #expect(refusedWrite.code == .badRequest)
                #expect(refusedWrite.message == "section must be one of demographics, allergies, medications, problems, notes")
                let refusedRead = try await a.send(
                    Self.request(.recordRead) {
                        $0.patientID = pia.userID; $0.section = "diary"
                    })
                #expect(refusedRead.code == .badRequest && refusedRead.message == refusedWrite.message)
                let write = Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "allergies"; $0.resource = allergy
                }
                return try await a.request(write).recordEntries?.first
            })
        let sessionEntry = try #require(
            try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws -> String? in
                let read = try await a.request(
                    Self.request(.recordRead) {
                        $0.patientID = pia.userID; $0.section = "notes"
                    })
                return read.recordEntries?.first?.entryID
            })
        // A nurse adds notes but may not withhold them (a licensed professional's judgement).
        try await ErasureTests.signedIn(server, cat) { (c: WardConnection) async throws in
            let note = Self.request(.recordWrite) {
                $0.patientID = pia.userID; $0.section = "notes"; $0.resource = session; $0.withhold = "endangerment"
            }
            let refused = try await c.send(note)
            #expect(refused.code == .denied && refused.policies == ["only-doctors-withhold"])
            let read = try await c.request(Self.request(.recordRead) { $0.patientID = pia.userID })
            #expect(read.recordEntries?.count == 2 && read.withheld == nil, "the care team sees everything")
            // Changing a withheld entry is withholding too: a nurse may not, even without saying so.
            let change = Self.request(.recordWrite) {
                $0.patientID = pia.userID; $0.section = "notes"; $0.entryID = sessionEntry; $0.resource = session
            }
            #expect(try await c.send(change).policies == ["only-doctors-withhold"])
        }
        // A doctor's new version stays withheld unless released with `none`.
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            let change = Self.request(.recordWrite) {
                $0.patientID = pia.userID; $0.section = "notes"; $0.entryID = sessionEntry; $0.resource = session
            }
            #expect(try await a.request(change).recordEntries?.first?.version == 2)
        }
        // The patient's own view leaves the withheld note out and says so; so does their export.
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            let read = try await p.request(Self.request(.recordRead) { $0.patientID = pia.userID })
            #expect(read.recordEntries?.map(\.section) == ["allergies"])
            #expect(read.withheld == ["psychotherapy-notes": 1])
            let export = try await p.exportSubject()
            #expect(export.records.count == 1 && export.recordsWithheld == ["psychotherapy-notes": 2], "both versions of the note")
        }
        // Released by a doctor: the newest version is the patient's to read again.
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            let release = Self.request(.recordWrite) {
                $0.patientID = pia.userID; $0.section = "notes"; $0.entryID = sessionEntry; $0.resource = session; $0.withhold = "none"
            }
            #expect(try await a.request(release).recordEntries?.first?.version == 3)
        }
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            let read = try await p.request(Self.request(.recordRead) { $0.patientID = pia.userID })
            #expect(read.recordEntries?.map(\.section).sorted() == ["allergies", "notes"] && read.withheld == nil)
        }

        // Amendments: the patient asks; bad requests are refused; a doctor accepts with a new version.
        let asked = try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws -> AmendmentInfo? in
            let empty = Self.request(.recordAmend) {
                $0.patientID = pia.userID; $0.entryID = allergyEntry.entryID; $0.text = "  "
            }
            #expect(try await p.send(empty).code == .badRequest)
            let unknown = Self.request(.recordAmend) {
                $0.patientID = pia.userID; $0.entryID = "entry:none"; $0.text = "The reaction was hives"
            }
            #expect(try await p.send(unknown).code == .notFound)
            let ask = Self.request(.recordAmend) {
                $0.patientID = pia.userID; $0.entryID = allergyEntry.entryID; $0.text = "AMENDTEXT the reaction was hives"
            }
            return try await p.request(ask).amendments?.first
        }
        let amendment = try #require(asked)
        #expect(amendment.status == "requested" && amendment.dueAt == amendment.requestedAt + 60 * 86_400 && !amendment.overdue)
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            let byDoctor = Self.request(.recordAmend) {
                $0.patientID = pia.userID; $0.entryID = allergyEntry.entryID; $0.text = "a doctor's request"
            }
            #expect(try await a.send(byDoctor).code == .denied)
            let listed = try await a.request(Self.request(.recordAmendments) { $0.patientID = pia.userID }).amendments
            #expect(listed?.map(\.request) == ["AMENDTEXT the reaction was hives"])
            let noResource = Self.request(.recordAmendDecide) {
                $0.amendmentID = amendment.amendmentID; $0.verdict = "accepted"
            }
            #expect(try await a.send(noResource).code == .badRequest)
            // A field the request's payload type needs and the frame lacks is refused by name.
            let noVerdict = try await a.send(Self.request(.recordAmendDecide) { $0.amendmentID = amendment.amendmentID })
            #expect(noVerdict.code == .badRequest && noVerdict.message == "verdict is required")
            let badVerdict = Self.request(.recordAmendDecide) {
                $0.amendmentID = amendment.amendmentID; $0.verdict = "maybe"; $0.reason = "r"
            }
            #expect(try await a.send(badVerdict).code == .badRequest)
            let unknown = Self.request(.recordAmendDecide) {
                $0.amendmentID = "amend:none"; $0.verdict = "denied"; $0.reason = "r"
            }
            #expect(try await a.send(unknown).code == .notFound)
            let noReason = Self.request(.recordAmendDecide) {
                $0.amendmentID = amendment.amendmentID; $0.verdict = "denied"
            }
            #expect(try await a.send(noReason).code == .badRequest)
            let accept = Self.request(.recordAmendDecide) {
                $0.amendmentID = amendment.amendmentID; $0.verdict = "accepted"; $0.resource = allergy.replacingOccurrences(of: "rash", with: "hives")
            }
            let accepted = try #require(try await a.request(accept).amendments?.first)
            #expect(accepted.status == "accepted" && accepted.decidedBy == ann.userID && accepted.versionID != nil)
            #expect(try await a.send(accept).code == .conflict)
            let history = try await a.request(
                Self.request(.recordRead) {
                    $0.patientID = pia.userID; $0.section = "allergies"; $0.history = true
                })
            #expect(history.recordEntries?.map(\.version) == [1, 2] && history.recordEntries?.last?.versionID == accepted.versionID)
        }
        // A second request is denied with a reason, which the patient reads.
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            let ask = Self.request(.recordAmend) {
                $0.patientID = pia.userID; $0.entryID = allergyEntry.entryID; $0.text = "Remove the allergy"
            }
            let second = try #require(try await p.request(ask).amendments?.first)
            let denial = Self.request(.recordAmendDecide) {
                $0.amendmentID = second.amendmentID; $0.verdict = "denied"; $0.reason = "DENIALTEXT tested positive"
            }
            #expect(try await p.send(denial).code == .denied, "patients do not answer their own requests")
            try await ErasureTests.signedIn(server, ann) { a in
                _ = try await a.request(denial)
            }
            let listed = try await p.request(Self.request(.recordAmendments) { $0.patientID = pia.userID }).amendments
            #expect(listed?.map(\.status) == ["accepted", "denied"] && listed?.last?.response == "DENIALTEXT tested positive")
            // A statement of disagreement follows a denial, once; not an acceptance.
            let onAccepted = Self.request(.recordAmendDisagree) {
                $0.amendmentID = amendment.amendmentID; $0.text = "I disagree"
            }
            #expect(try await p.send(onAccepted).code == .conflict)
            let empty = Self.request(.recordAmendDisagree) {
                $0.amendmentID = second.amendmentID; $0.text = "\u{7}"
            }
            #expect(try await p.send(empty).code == .badRequest, "control characters only")
            let statement = Self.request(.recordAmendDisagree) {
                $0.amendmentID = second.amendmentID; $0.text = "DISAGREETEXT the test was wrong"
            }
            let filed = try #require(try await p.request(statement).amendments?.first)
            #expect(filed.disagreement == "DISAGREETEXT the test was wrong" && filed.disagreedAt != nil)
            #expect(try await p.send(statement).code == .conflict)
        }
        // Whoever reads the record reads the dispute with it (its first page).
        try await ErasureTests.signedIn(server, cat) { (c: WardConnection) async throws in
            let first = try await c.request(Self.request(.recordRead) { $0.patientID = pia.userID })
            #expect(first.amendments?.last?.disagreement == "DISAGREETEXT the test was wrong")
        }
        // The texts are sealed like the record.
        #expect(ErasureTests.occurrences(of: ["SESSIONTEXT", "AMENDTEXT", "DENIALTEXT", "DISAGREETEXT"], under: server.data.path).isEmpty)
    }

    @Test func accessIsWhatThePoliciesSayAndEmergencyAccessIsDeclaredAndReviewed() async throws {
        var limits = ConnectionLimits.unthrottled
        // Small pages, so that reading the record crosses page boundaries.
        limits.exportPageBytes = 1500
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server,
            [
                ("dr.ann", "Doctor"), ("nurse.cat", "Nurse"), ("dr.bob", "Doctor"), ("desk.olga", "Other"), ("pat.pia", "Patient"),
                ("pat.bo", "Patient"),
                ("po.pat", "PrivacyOfficer")
            ])
        let (ann, cat, bob, olga, pia, bo, officer) = (people[0], people[1], people[2], people[3], people[4], people[5], people[6])
        try await ErasureTests.signedIn(server, admin) { x in
            for clinician in [ann, cat] {
                try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: clinician.userID))
            }
        }
        let allergy = #"{"resourceType": "AllergyIntolerance", "code": {"text": "PENICILLINTEXT"}, "reaction": [{"description": "rash"}]}"#
        // Ann records an allergy and amends it (a new version); Cat adds a note; Cat may not change allergies.
        let first = try #require(
            try await ErasureTests.signedIn(server, ann) { a in
                try await a.request(
                    Self.request(.recordWrite) {
                        $0.patientID = pia.userID; $0.section = "allergies"; $0.resource = allergy
                    }
                ).recordEntries?.first
            })
        #expect(
            first.version == 1 && first.authorID == ann.userID && first.resource.contains("PENICILLINTEXT") && first.resource.contains("Patient/"))
        let amended = try await ErasureTests.signedIn(server, ann) { a in
            try await a.request(
                Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "allergies"; $0.entryID = first.entryID
                    $0.resource = allergy.replacingOccurrences(of: "rash", with: "hives")
                }
            ).recordEntries?.first
        }
        #expect(amended?.version == 2 && amended?.entryID == first.entryID)
        try await ErasureTests.signedIn(server, cat) { (c: WardConnection) async throws in
            let note = try await c.send(
                Self.request(.recordWrite) {
                    $0.patientID = pia.userID; $0.section = "notes";
                    $0.resource = #"{"resourceType": "DocumentReference", "description": "NOTETEXT slept well"}"#
                })
            #expect(note.recordEntries?.first?.section == "notes")
            #expect(
                try await c.send(
                    Self.request(.recordWrite) {
                        $0.patientID = pia.userID; $0.section = "allergies"; $0.resource = allergy
                    }
                ).code == .denied)
        }

        // Reading: exactly who the policies allow, by role and relationship.
        func read(_ member: ConversationTests.Member, history: Bool = false) async throws -> ServerReply {
            try await ErasureTests.signedIn(server, member) { c in
                try await c.send(
                    Self.request(.recordRead) {
                        $0.patientID = pia.userID; $0.history = history ? true : nil
                    })
            }
        }
        for (member, allowed) in [(ann, true), (cat, true), (pia, true), (bob, false), (olga, false), (bo, false), (officer, false), (admin, false)] {
            let reply = try await read(member)
            #expect((reply.type != .error) == allowed, "\(member.username): \(reply.code?.rawValue ?? "allowed")")
        }
        let current = try await ErasureTests.signedIn(server, ann) { a in
            try await a.readRecord(RecordRead(patientID: pia.userID))
        }
        #expect(
            current.count == 2 && current.first { $0.section == "allergies" }?.resource.contains("hives") == true, "the newest version of each entry")
        let firstPage = try await read(ann, history: true)
        #expect((firstPage.recordEntries?.count ?? 0) < 3 && firstPage.next != nil, "a page at a time")
        let everyVersion = try await ErasureTests.signedIn(server, ann) { a in
            try await a.readRecord(RecordRead(patientID: pia.userID, history: true))
        }
        #expect(everyVersion.map(\.version).sorted() == [1, 1, 2], "every version is kept, across pages")
        let ownExport = try await ErasureTests.signedIn(server, pia) { try await $0.exportSubject() }
        #expect(
            ownExport.records.count == 3 && ownExport.records.allSatisfy { $0.resource.contains("resourceType") },
            "the patient's export holds the record")

        // Bad input gets clear errors.
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            let bad: [(ClientRequest, ErrorCode)] = [
                (
                    Self.request(.recordRead) {
                        $0.patientID = pia.userID; $0.section = "gossip"
                    }, .badRequest
                ),
                (Self.request(.recordRead) { $0.patientID = ann.userID }, .badRequest),
                (
                    Self.request(.recordWrite) {
                        $0.patientID = pia.userID; $0.section = "allergies"; $0.resource = #"{"resourceType": "Condition"}"#
                    }, .badRequest
                ),
                (
                    Self.request(.recordWrite) {
                        $0.patientID = pia.userID; $0.section = "problems"; $0.resource = "not json"
                    }, .badRequest
                ),
                (
                    Self.request(.recordWrite) {
                        $0.patientID = pia.userID; $0.section = "problems"; $0.entryID = "entry:none"; $0.resource = #"{"resourceType": "Condition"}"#
                    }, .notFound
                )
            ]
            for (request, code) in bad { #expect(try await a.send(request).code == code, "\(request)") }
        }

        // Bob, outside the care team, declares an emergency; the privacy officer is told and reviews.
        try await server.connect { o in
            try await o.request(ClientRequest(id: 0, type: .resume, token: officer.token))
            try await ErasureTests.signedIn(server, bob) { (b: WardConnection) async throws in
                let tooShort = Self.request(.breakGlassOpen) {
                    $0.patientID = pia.userID; $0.reason = "urgent"
                }
                #expect(try await b.send(tooShort).code == .badRequest)
                let declared = Self.request(.breakGlassOpen) {
                    $0.patientID = pia.userID
                    $0.reason = "Unconscious in the emergency room, no one from the care team reachable"
                }
                let opened = try await b.request(declared)
                #expect(opened.breakGlassUses?.first?.endsAt == (opened.breakGlassUses?.first?.startedAt ?? 0) + 3600)
                #expect(try await b.readRecord(RecordRead(patientID: pia.userID)).count == 2, "the emergency access reads")
                #expect(
                    try await b.send(
                        Self.request(.recordWrite) {
                            $0.patientID = pia.userID; $0.section = "notes"; $0.resource = #"{"resourceType": "DocumentReference"}"#
                        }
                    ).code == .denied,
                    "break-glass reads, it does not write")
            }
            let told = try await NotificationTests.nextNotification(on: o, within: 5)
            #expect(told?.kind == "breakglass" && told?.refID == pia.userID)
            let queue = try await o.request(ClientRequest(id: 0, type: .breakGlassList)).breakGlassUses ?? []
            #expect(
                queue.count == 1 && queue.first?.clinicianID == bob.userID && queue.first?.reason?.hasPrefix("Unconscious") == true
                    && queue.first?.overdue == false)
            let id = try #require(queue.first?.breakGlassID)
            let reviewed = try await o.request(
                Self.request(.breakGlassReview) {
                    $0.breakGlassID = id; $0.verdict = "justified"
                })
            #expect(reviewed.breakGlassUses?.isEmpty == true, "nothing left to review")
            #expect(
                try await o.send(
                    Self.request(.breakGlassReview) {
                        $0.breakGlassID = id; $0.verdict = "justified"
                    }
                ).code == .conflict)
            #expect(
                try await o.send(
                    Self.request(.breakGlassReview) {
                        $0.breakGlassID = id; $0.verdict = "fine"
                    }
                ).code == .badRequest)
            let all = try await o.request(Self.request(.breakGlassList) { $0.kind = "all" }).breakGlassUses ?? []
            #expect(all.first?.verdict == "justified" && all.first?.reviewedBy == officer.userID)
        }
        // The front desk cannot declare an emergency.
        try await ErasureTests.signedIn(server, olga) { (o: WardConnection) async throws in
            #expect(
                try await o.send(
                    Self.request(.breakGlassOpen) {
                        $0.patientID = pia.userID; $0.reason = "Unconscious in the emergency room, please"
                    }
                ).code == .denied)
        }

        await server.stop()
        // No record text in the database; the emergency access is a critical audit entry whose reason is only a commitment.
        for file in [server.data.database, server.data.database + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            for text in ["PENICILLINTEXT", "NOTETEXT", "hives", "Unconscious"] {
                #expect(bytes.range(of: Data(text.utf8)) == nil, "\(file): \(text)")
            }
        }
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        let emergency = try #require(entries.first { $0.event.type == "breakglass.open" && $0.event.decision == .allow })
        #expect(
            emergency.event.details["severity"] == "critical" && emergency.event.commitments.count == 1 && emergency.event.subjectID == pia.userID)
        #expect(entries.filter { $0.event.type == "record.read" && $0.event.subjectID == pia.userID }.count >= 9, "every read is an entry")
    }
}
