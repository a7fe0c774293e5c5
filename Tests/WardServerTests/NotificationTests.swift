import Foundation
import Testing
import WardClient
import WardE2EE
import WardProtocol
import WardServer
import WardTestSupport

/// Reminders, appointment changes, message and urgent alerts, announcements, choices.
@Suite("Notifications", .serialized)
struct NotificationTests {
    typealias Member = ConversationTests.Member

    static func request(_ type: RequestType, _ configure: (inout ClientRequest) -> Void = { _ in }) -> ClientRequest {
        ConversationTests.request(type, configure)
    }

    static func list(_ connection: WardConnection, all: Bool = false) async throws -> [NotificationInfo] {
        try await connection.request(request(.notificationList) { $0.kind = all ? "all" : nil }).notifications ?? []
    }

    /// The next `notification` event, or nil after `seconds`.
    static func nextNotification(on connection: WardConnection, within seconds: Double) async throws -> NotificationInfo? {
        try await withThrowingTaskGroup(of: NotificationInfo?.self) { group in
            group.addTask {
                while true {
                    let event = try await connection.nextEvent()
                    if case let .notification(notification) = event { return notification }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func aReminderDueWhileTheServerIsDownIsDeliveredOnceAfterItRestarts() async throws {
        let setup = try await ServerHarness.start()
        defer { setup.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(setup, [("dr.ann", "Doctor"), ("pat.pia", "Patient"), ("pat.bo", "Patient")])
        let (ann, pia, bo) = (people[0], people[1], people[2])
        let slotStart = (Int64(Date().timeIntervalSince1970) / 3600 + 2) * 3600
        try await ErasureTests.signedIn(setup, ann) { a in
            try await a.request(
                Self.request(.availabilityAdd) {
                    $0.kind = "open"; $0.startsAt = slotStart; $0.endsAt = slotStart + 3600
                })
        }
        try await ErasureTests.signedIn(setup, pia) { p in
            try await p.request(
                Self.request(.consentGrant) {
                    $0.purpose = "appointment-reminders"; $0.consentVersion = "1"
                })
        }
        await setup.stop()
        // Served again with the one reminder 12 s before it falls due (a restart, two Argon2id
        // sign-ins, two bookings and a stop take 2–7 s on a loaded 2-core runner); both book at once.
        let lead: Int64 = 12
        let now = Int64(Date().timeIntervalSince1970)
        var times = NotificationTimes()
        times.reminderLeads = [slotStart - (now + lead)]
        let server = try await setup.restarted(notificationTimes: times)
        // Pia agrees to reminders and books; Bo, who did not agree, books too and gets none.
        try await ErasureTests.signedIn(server, pia) { p in
            try await p.request(
                Self.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.startsAt = slotStart
                })
        }
        try await ErasureTests.signedIn(server, bo) { b in
            try await b.request(
                Self.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.startsAt = slotStart + 1800
                })
        }
        await server.stop()
        // The reminder falls due while the server is down.
        #expect(Int64(Date().timeIntervalSince1970) < now + lead, "booked and stopped before the reminder fell due")
        while Int64(Date().timeIntervalSince1970) <= now + lead + 1 { try await Task.sleep(for: .milliseconds(200)) }
        let again = try await server.restarted()
        func reminders(_ member: Member, on server: ServerHarness) async throws -> [NotificationInfo] {
            try await ErasureTests.signedIn(server, member) { c in try await Self.list(c, all: true).filter { $0.kind == "reminder" } }
        }
        var delivered: [NotificationInfo] = []
        for _ in 0..<50 where delivered.isEmpty {
            delivered = try await reminders(pia, on: again)
            if delivered.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(delivered.count == 1 && delivered.first?.readAt == nil && delivered.first?.text.hasPrefix("Reminder: appointment") == true)
        #expect(try await reminders(bo, on: again).isEmpty, "no consent to reminders, no reminder")
        await again.stop()
        let third = try await again.restarted()
        let afterSecondRestart = try await reminders(pia, on: third)
        #expect(afterSecondRestart == delivered, "delivered once: a further restart repeats nothing")
        await third.stop()
    }

    @Test func changesAlertsUrgentRepeatsAnnouncementsAndChoices() async throws {
        let limits = ConnectionLimits.unthrottled
        var times = NotificationTimes()
        times.urgentRealert = 1
        let server = try await ServerHarness.start(connectionLimits: limits, notificationTimes: times)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("pat.pia", "Patient"), ("pat.bo", "Patient")])
        let (ann, pia, bo) = (people[0], people[1], people[2])
        try await ErasureTests.signedIn(server, admin) { x in
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        let slotStart = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        try await ErasureTests.signedIn(server, ann) { a in
            try await a.request(
                Self.request(.availabilityAdd) {
                    $0.kind = "open"; $0.startsAt = slotStart; $0.endsAt = slotStart + 3600
                })
        }
        // Pia books; while she is connected, Ann confirms and Pia is told at once, without the reason.
        let appointmentID = try await ErasureTests.signedIn(server, pia) { p in
            try await p.request(
                Self.request(.consentGrant) {
                    $0.purpose = "messaging"; $0.consentVersion = "1"
                })
            return try await p.request(
                Self.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.startsAt = slotStart; $0.reason = "RASHTEXT"
                }
            )
            .appointment?.appointmentID ?? ""
        }
        let annTold = try await ErasureTests.signedIn(server, ann) { a in try await Self.list(a) }
        #expect(annTold.contains { $0.kind == "appointment" && $0.refID == appointmentID && $0.text.contains("was requested") }, "\(annTold)")
        try await server.connect { p in
            try await p.request(ClientRequest(id: 0, type: .resume, token: pia.token))
            try await ErasureTests.signedIn(server, ann) { a in
                try await a.request(
                    Self.request(.appointmentUpdate) {
                        $0.appointmentID = appointmentID; $0.status = "confirmed"
                    })
            }
            let told = try await Self.nextNotification(on: p, within: 5)
            #expect(told?.kind == "appointment" && told?.text.contains("was confirmed") == true && told?.text.contains("RASHTEXT") == false)
        }

        // Pia is offline: Ann's two messages leave one alert, worded for privacy; reading the room reads it.
        let careRoom = try await server.connect { a in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            let room =
                try await a.request(
                    Self.request(.roomCreate) {
                        $0.kind = "care"; $0.name = "Pia"; $0.patientID = pia.userID; $0.members = [pia.userID]
                    }
                )
                .room?.roomID ?? ""
            try await messenger.send(MessageContent(body: "SECRETTEXT one"), to: room)
            try await messenger.send(MessageContent(body: "SECRETTEXT two"), to: room)
            return room
        }
        try await server.connect { p in
            let messenger = try await ConversationTests.messenger(pia, on: p)
            var alerts: [NotificationInfo] = []
            for _ in 0..<50 where alerts.isEmpty {
                alerts = try await Self.list(p).filter { $0.kind == "message" }
                if alerts.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(alerts.count == 1 && alerts.first?.text == "You have a new message from your care team" && alerts.first?.refID == careRoom)
            _ = messenger
            let last = try await p.request(ConversationTests.request(.messageHistory, room: careRoom)).messages?.last?.seq ?? 0
            try await p.request(
                ConversationTests.request(.receipt, room: careRoom) {
                    $0.kind = "read"; $0.seq = last
                })
            #expect(try await Self.list(p).filter { $0.kind == "message" }.isEmpty, "reading the room read the alert")
        }

        // An urgent message alerts Pia again every second until she reads the room.
        try await server.connect { p in
            _ = try await ConversationTests.messenger(pia, on: p)
            try await server.connect { a in
                let messenger = try await ConversationTests.messenger(ann, on: a)
                try await messenger.send(MessageContent(body: "SECRETTEXT urgent"), to: careRoom, urgent: true)
            }
            var urgentAlerts = 0
            for _ in 0..<6 where urgentAlerts < 2 {
                if let next = try await Self.nextNotification(on: p, within: 3), next.kind == "urgent" { urgentAlerts += 1 }
            }
            #expect(urgentAlerts >= 2, "alerted, then alerted again")
            let last = try await p.request(ConversationTests.request(.messageHistory, room: careRoom)).messages?.last?.seq ?? 0
            try await p.request(
                ConversationTests.request(.receipt, room: careRoom) {
                    $0.kind = "read"; $0.seq = last
                })
            // Drain what was in flight, then nothing more comes.
            while try await Self.nextNotification(on: p, within: 1.5) != nil {}
            #expect(try await Self.nextNotification(on: p, within: 2.5) == nil, "read: no more alerts")
        }

        // Announcements: to patients only; Bo turns them off and gets no more.
        try await ErasureTests.signedIn(server, bo) { b in
            let muted = try await b.request(
                Self.request(.notificationSettings) {
                    $0.kind = "announcement"; $0.enabled = false
                })
            #expect(muted.mutedKinds == ["announcement"])
            #expect(
                try await b.send(
                    Self.request(.notificationSettings) {
                        $0.kind = "gossip"; $0.enabled = false
                    }
                ).code == .badRequest)
        }
        try await ErasureTests.signedIn(server, admin) { x in
            let sent = try await x.request(
                Self.request(.notificationAnnounce) {
                    $0.text = "The clinic closes at noon on Friday"; $0.role = "Patient"
                })
            #expect(sent.unreadNotifications == 1, "Pia only: Bo turned announcements off")
            #expect(try await x.send(Self.request(.notificationAnnounce) { $0.text = "" }).code == .badRequest)
        }
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            #expect(try await a.send(Self.request(.notificationAnnounce) { $0.text = "hello" }).code == .denied)
        }
        try await ErasureTests.signedIn(server, pia) { p in
            let unread = try await Self.list(p)
            #expect(unread.contains { $0.kind == "announcement" && $0.text == "The clinic closes at noon on Friday" })
            let one = try #require(unread.first)
            let after = try await p.request(Self.request(.notificationRead) { $0.notificationID = one.notificationID })
            #expect(after.unreadNotifications == unread.count - 1)
            #expect(try await p.send(Self.request(.notificationRead) { $0.notificationID = one.notificationID }).code == .notFound)
            #expect(try await p.request(Self.request(.notificationRead)).unreadNotifications == 0)
            let everything = try await Self.list(p, all: true)
            #expect(everything.allSatisfy { !$0.text.contains("SECRETTEXT") && !$0.text.contains("RASHTEXT") }, "privacy by default")
        }
        await server.stop()
    }
}
