import ArgumentParser
import Foundation
import Logging
import WardClient
import WardE2EE
import WardProtocol

struct ExportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "How long a privacy officer's export of a patient with many messages and audit entries takes.",
        discussion: """
        Starts ward-server as its own process, makes a patient (who consents to messaging), a
        privacy officer and --senders doctors on the patient's care team, puts them all in the
        patient's care room, and has the doctors send --messages end-to-end encrypted messages
        there (each one is decided and audited with the patient as subject). Then the privacy
        officer exports the patient (gdpr.export, page by page, as wardctl gdpr export does) and
        the time is reported, beside the time the same client takes to fetch the same messages as
        room history (the reference: the same data over the same connection without the export).
        """
    )

    @Option(help: "Messages in the patient's care room.") var messages: Int = 100_000
    @Option(help: "Doctors sending them, each on its own connection.") var senders: Int = 40

    func validate() throws {
        guard messages > 0, (1...250).contains(senders) else { throw ValidationError("messages must be positive and senders 1-250") }
    }

    func run() async throws {
        let server = try ServerProcess.start()
        defer { server.stop() }
        let client = try server.client()
        func connect<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
            try await client.connect(body)
        }
        let password = "bench account passphrase"
        let otp = server.oneTimePassword
        let senders = self.senders
        let adminToken = try await connect { try await ChatBench.firstSignIn($0, username: "admin", oneTime: otp, password: password) }
        // Accounts and the care team, made by the Admin.
        let (patient, officer, doctors) = try await connect { connection -> ((String, String), (String, String), [(String, String)]) in
            try await connection.request(ClientRequest(id: 0, type: "resume", token: adminToken))
            func make(_ username: String, _ role: String) async throws -> (String, String) {
                let reply = try await ChatBench.paced(connection, ClientRequest(id: 0, type: "user.create", username: username, role: role))
                return (reply.userID ?? "", reply.password ?? "")
            }
            let patient = try await make("patient", "Patient")
            let officer = try await make("officer", "PrivacyOfficer")
            var doctors: [(String, String)] = []
            for n in 0..<senders {
                let doctor = try await make("doctor\(n)", "Doctor")
                _ = try await ChatBench.paced(connection, ClientRequest(id: 0, type: "careteam.add", patientID: patient.0, clinicianID: doctor.0))
                doctors.append(doctor)
            }
            return (patient, officer, doctors)
        }
        let patientToken = try await connect { connection in
            let token = try await ChatBench.firstSignIn(connection, username: "patient", oneTime: patient.1, password: password)
            var consent = ClientRequest(id: 0, type: "consent.grant")
            consent.purpose = "messaging"
            consent.consentVersion = "1"
            try await connection.request(consent)
            return token
        }
        let officerToken = try await connect { try await ChatBench.firstSignIn($0, username: "officer", oneTime: officer.1, password: password) }
        var doctorTokens: [String] = []
        for (n, doctor) in doctors.enumerated() {
            doctorTokens.append(try await connect { try await ChatBench.firstSignIn($0, username: "doctor\(n)", oneTime: doctor.1, password: password) })
        }
        // The patient's device, then every doctor's, then the room with all of them.
        try await connect { connection in
            try await connection.request(ClientRequest(id: 0, type: "resume", token: patientToken))
            try await SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: patient.0).register()
        }
        let tokens = doctorTokens
        let board = Board(clients: senders, rooms: 1)
        let perSender = messages / senders
        let extra = messages % senders
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<senders {
                group.addTask {
                    try await connect { connection in
                        try await connection.request(ClientRequest(id: 0, type: "resume", token: tokens[n]))
                        let messenger = SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: doctors[n].0)
                        try await messenger.register()
                        board.arrive(.registered)
                        await board.wait(.registered)
                        if n == 0 {
                            var create = ClientRequest(id: 0, type: "room.create")
                            create.kind = "care"
                            create.name = "Care room"
                            create.patientID = patient.0
                            create.members = [patient.0] + doctors.dropFirst().map(\.0)
                            board.setRoom(0, try await connection.request(create).room?.roomID ?? "")
                        }
                        board.arrive(.roomsMade)
                        await board.wait(.roomsMade)
                        let roomID = board.room(0)
                        for index in 0..<(perSender + (n < extra ? 1 : 0)) {
                            try await Self.sendPaced(messenger, MessageContent(body: "clinical note \(index) from doctor \(n)"), to: roomID)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let generated = clock.now - started
        print(String(format: "made %d messages in the care room in %.1f s", messages, generated.seconds))

        // The measurement: the privacy officer's export, then the reference.
        let (document, exportTime) = try await connect { connection in
            try await connection.request(ClientRequest(id: 0, type: "resume", token: officerToken))
            let exportStart = clock.now
            let document = try await connection.exportSubject(userID: patient.0)
            return (document, clock.now - exportStart)
        }
        // Reference: the patient's own client reads the room's history (200 per page, paced).
        let (reference, referenceCount) = try await connect { connection -> (Duration, Int) in
            try await connection.request(ClientRequest(id: 0, type: "resume", token: patientToken))
            let roomID = document.rooms.first?.room.roomID ?? ""
            let start = clock.now
            var after = 0
            var count = 0
            for _ in 0..<(messages / 200 + 2) {
                var history = ClientRequest(id: 0, type: "message.history")
                history.roomID = roomID
                history.after = after
                history.limit = 200
                let page = try await ChatBench.paced(connection, history).messages ?? []
                count += page.count
                guard let last = page.last, page.count == 200 else { break }
                after = last.seq
            }
            return (clock.now - start, count)
        }
        let bytes = try JSONEncoder().encode(document).count
        print(String(format: "export: %d messages, %d access records, %.1f MB of JSON in %.2f s (bar: under 10 s)",
                     document.messages.count, document.access.count, Double(bytes) / 1e6, exportTime.seconds))
        print(String(format: "reference: the same room's %d messages as history (200 a page) in %.2f s; export/history = %.2f",
                     referenceCount, reference.seconds, exportTime.seconds / max(reference.seconds, 0.001)))
    }

    /// Sends, waiting and retrying while the connection's rate limit refuses.
    static func sendPaced(_ messenger: SecureMessenger, _ content: MessageContent, to roomID: String) async throws {
        for _ in 0..<200 {
            do {
                try await messenger.send(content, to: roomID)
                return
            } catch WardClientError.server(.rateLimited, _, _) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw WardClientError.server(.rateLimited, "still rate limited after 200 tries", policies: [])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
