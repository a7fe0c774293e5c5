import Foundation
import Testing
import WardAudit
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

/// Availability, booking and the appointment states against a real server.
@Suite("Appointments", .serialized)
struct AppointmentTests {
    typealias Member = ConversationTests.Member

    static func signedIn<T: Sendable>(
        _ server: ServerHarness, _ member: Member,
        _ body: @escaping @Sendable (WardConnection) async throws -> T
    ) async throws -> T {
        try await ErasureTests.signedIn(server, member, body)
    }

    static func request(_ type: RequestType, _ configure: (inout ClientRequest) -> Void) -> ClientRequest {
        ConversationTests.request(type, configure)
    }

    @Test func patientsAndStaffBookAndTheClinicianRunsTheSchedule() async throws {
        let limits = ConnectionLimits.unthrottled
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("desk.olga", "Other"), ("pat.pia", "Patient"), ("pat.bo", "Patient"), ("dr.dan", "Doctor")])
        let (ann, olga, pia, bo, dan) = (people[0], people[1], people[2], people[3], people[4])
        _ = try await Self.signedIn(server, admin) { (x: WardConnection) async throws in
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        // Ann opens four hours tomorrow, in half-hour slots, in Room 2.
        let start = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        try await Self.signedIn(server, ann) { (a: WardConnection) async throws in
            let open = Self.request(.availabilityAdd) {
                $0.kind = "open"; $0.startsAt = start; $0.endsAt = start + 4 * 3600; $0.slotMinutes = 30; $0.location = "Room 2"
            }
            #expect(try await a.request(open).availability?.count == 1)
            // Bad input gets clear errors.
            for bad in [
                Self.request(.availabilityAdd) { $0.kind = "sometimes" },
                Self.request(.availabilityAdd) {
                    $0.kind = "weekly"; $0.weekday = 9; $0.startMinute = 0; $0.endMinute = 60
                },
                Self.request(.availabilityAdd) {
                    $0.kind = "weekly"; $0.weekday = 1; $0.startMinute = 600; $0.endMinute = 540
                },
                Self.request(.availabilityAdd) {
                    $0.kind = "open"; $0.startsAt = start; $0.endsAt = start + 3600; $0.slotMinutes = 1000
                }
            ] {
                #expect(try await a.send(bad).code == .badRequest, "\(bad)")
            }
        }
        // Nobody publishes another clinician's hours.
        try await Self.signedIn(server, dan) { (d: WardConnection) async throws in
            let other = Self.request(.availabilityAdd) {
                $0.clinicianID = ann.userID; $0.kind = "open"; $0.startsAt = start; $0.endsAt = start + 3600
            }
            #expect(try await d.send(other).code == .denied)
        }
        let slots = try await Self.signedIn(server, pia) { (p: WardConnection) async throws in
            try await p.request(Self.request(.appointmentSlots) { $0.clinicianID = ann.userID }).slots ?? []
        }
        #expect(slots.count == 8 && slots.first?.startsAt == start && slots.allSatisfy { $0.location == "Room 2" })

        // Pia books the first slot and says why; Bo cannot have it; the front desk books Bo the second.
        let booked = try #require(
            try await Self.signedIn(server, pia) { (p: WardConnection) async throws in
                try await p.request(
                    Self.request(.appointmentBook) {
                        $0.clinicianID = ann.userID; $0.startsAt = start; $0.reason = "BACKPAIN since Monday"
                    }
                ).appointment
            })
        #expect(booked.status == "requested" && booked.patientID == pia.userID && booked.bookedBy == pia.userID && booked.reason == nil)
        try await Self.signedIn(server, bo) { (b: WardConnection) async throws in
            let taken = try await b.send(
                Self.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.startsAt = start
                })
            #expect(taken.code == .slotTaken && taken.message?.contains("slot taken") == true)
            #expect(try await b.send(Self.request(.appointmentCancel) { $0.appointmentID = booked.appointmentID }).code == .denied)
            #expect(
                try await b.send(
                    Self.request(.appointmentBook) {
                        $0.clinicianID = ann.userID; $0.startsAt = start + 60
                    }
                ).code == .badRequest,
                "no slot starts then")
            #expect(
                try await b.send(
                    Self.request(.appointmentBook) {
                        $0.clinicianID = ann.userID; $0.startsAt = 1000
                    }
                ).code == .badRequest,
                "the past")
            #expect(
                try await b.send(
                    Self.request(.appointmentBook) {
                        $0.clinicianID = bo.userID; $0.startsAt = start
                    }
                ).code == .badRequest,
                "a patient is not a clinician")
        }
        let forBo = try await Self.signedIn(server, olga) { (o: WardConnection) async throws in
            try await o.request(
                Self.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.patientID = bo.userID; $0.startsAt = start + 1800
                }
            ).appointment
        }
        #expect(forBo?.status == "confirmed" && forBo?.bookedBy == olga.userID)

        // Minimum necessary: the front desk sees when, who and where; the clinician and the patient also see why.
        let (deskView, deskList) = try await Self.signedIn(server, olga) { (o: WardConnection) async throws in
            (
                try await o.request(Self.request(.appointmentShow) { $0.appointmentID = booked.appointmentID }).appointment,
                try await o.request(Self.request(.appointmentList) { $0.userID = ann.userID }).appointments ?? []
            )
        }
        #expect(deskView?.reason == nil && deskView?.location == "Room 2" && deskView?.clinicianName == "dr.ann")
        #expect(deskList.map(\.appointmentID) == [booked.appointmentID, forBo?.appointmentID ?? ""] && deskList.allSatisfy { $0.reason == nil })
        let annView = try await Self.signedIn(server, ann) { (a: WardConnection) async throws in
            try await a.request(Self.request(.appointmentShow) { $0.appointmentID = booked.appointmentID }).appointment
        }
        #expect(annView?.reason == "BACKPAIN since Monday")

        // Ann confirms; Pia moves it to the third slot (the first is free again), then cancels.
        try await Self.signedIn(server, ann) { (a: WardConnection) async throws in
            let confirmed = try await a.request(
                Self.request(.appointmentUpdate) {
                    $0.appointmentID = booked.appointmentID; $0.status = "confirmed"
                })
            #expect(confirmed.appointment?.status == "confirmed")
            #expect(
                try await a.send(
                    Self.request(.appointmentUpdate) {
                        $0.appointmentID = booked.appointmentID; $0.status = "lost"
                    }
                ).code == .badRequest)
            #expect(
                try await a.send(
                    Self.request(.appointmentUpdate) {
                        $0.appointmentID = "appt:none"; $0.status = "confirmed"
                    }
                ).code == .notFound)
            let schedule = try await a.request(ClientRequest(id: 0, type: .appointmentList)).appointments ?? []
            #expect(schedule.count == 2, "the clinician's own schedule")
        }
        try await Self.signedIn(server, pia) { (p: WardConnection) async throws in
            let moved = try await p.request(
                Self.request(.appointmentReschedule) {
                    $0.appointmentID = booked.appointmentID; $0.startsAt = start + 3600
                })
            #expect(moved.appointment?.startsAt == start + 3600 && moved.appointment?.status == "confirmed")
            let free = try await p.request(Self.request(.appointmentSlots) { $0.clinicianID = ann.userID }).slots ?? []
            #expect(free.contains { $0.startsAt == start } && !free.contains { $0.startsAt == start + 3600 })
            let cancelled = try await p.request(Self.request(.appointmentCancel) { $0.appointmentID = booked.appointmentID })
            #expect(cancelled.appointment?.status == "cancelled" && cancelled.appointment?.cancelledBy == pia.userID)
            #expect(try await p.send(Self.request(.appointmentCancel) { $0.appointmentID = booked.appointmentID }).code == .badRequest)
            #expect(try await p.send(Self.request(.appointmentList) { $0.userID = bo.userID }).code == .denied)
        }

        // A race for one slot: sixteen requests at once, for two patients; exactly one wins.
        let raced = start + 2 * 3600
        let outcomes = try await withThrowingTaskGroup(of: ErrorCode?.self) { group in
            for n in 0..<16 {
                group.addTask {
                    try await Self.signedIn(server, olga) { (o: WardConnection) async throws in
                        let patient = n.isMultiple(of: 2) ? pia.userID : bo.userID
                        return try await o.send(
                            Self.request(.appointmentBook) {
                                $0.clinicianID = ann.userID; $0.patientID = patient; $0.startsAt = raced
                            }
                        ).code
                    }
                }
            }
            var codes: [ErrorCode?] = []
            for try await code in group { codes.append(code) }
            return codes
        }
        #expect(outcomes.filter { $0 == nil }.count == 1 && outcomes.filter { $0 == .slotTaken }.count == 15, "\(outcomes)")

        await server.stop()
        // The reason is sealed at rest: the database never holds it.
        for file in [server.data.database, server.data.database + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data("BACKPAIN".utf8)) == nil, "\(file)")
        }
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.contains { $0.event.type == "appointment.book" && $0.event.subjectID == pia.userID && $0.event.decision == .allow })
        #expect(entries.contains { $0.event.type == "appointment.reason" && $0.event.actorID == olga.userID && $0.event.decision == .deny })
    }
}
