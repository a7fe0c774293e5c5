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
            Starts ward-server as its own process, makes a patient (who consents to messaging), a \
            privacy officer and --senders doctors on the patient's care team, puts them all in the \
            patient's care room, and has the doctors send --messages end-to-end encrypted messages \
            there (each one is decided and audited with the patient as subject). Then the privacy \
            officer exports the patient (gdpr.export, page by page, as wardctl gdpr export does) and \
            the time is reported, beside the time the same client takes to fetch the same messages as \
            room history (the reference: the same data over the same connection without the export).
            """
    )

    @Option(help: "Messages in the patient's care room.") var messages: Int = 100_000
    @Option(help: "Doctors sending them, each on its own connection.") var senders: Int = 40

    func validate() throws {
        guard messages > 0, (1...250).contains(senders) else { throw ValidationError("messages must be positive and senders 1-250") }
    }

    func run() async throws {
        let fixture = try await CareRoomFixture.make(messages: messages, writers: senders, writtenBy: .doctors)
        defer { fixture.server.stop() }
        let client = fixture.client
        func connect<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
            try await client.connect(body)
        }
        let (officerToken, patientToken, patientID, messages) = (fixture.officerToken, fixture.patientToken, fixture.patientID, self.messages)
        let clock = ContinuousClock()
        print(String(format: "made %d messages in the care room in %.1f s", messages, fixture.generated.seconds))

        // The measurement: the privacy officer's export, then the reference.
        let (document, exportTime) = try await connect { connection in
            try await connection.request(Resume(token: officerToken))
            let exportStart = clock.now
            let document = try await connection.exportSubject(userID: patientID)
            return (document, clock.now - exportStart)
        }
        // Reference: the patient's own client reads the room's history (200 per page, paced).
        let (reference, referenceCount) = try await connect { connection -> (Duration, Int) in
            try await connection.request(Resume(token: patientToken))
            let roomID = document.rooms.first?.room.roomID ?? ""
            let start = clock.now
            var after = 0
            var count = 0
            for _ in 0..<(messages / 200 + 2) {
                let page = try await ChatBench.paced(connection, MessageHistory(roomID: roomID, after: after, limit: 200)).messages
                count += page.count
                guard let last = page.last, page.count == 200 else { break }
                after = last.seq
            }
            return (clock.now - start, count)
        }
        let bytes = try JSONEncoder().encode(document).count
        print(
            String(
                format: "export: %d messages, %d access records, %.1f MB of JSON in %.2f s (bar: under 10 s)",
                document.messages.count, document.access.count, Double(bytes) / 1e6, exportTime.seconds))
        print(
            String(
                format: "reference: the same room's %d messages as history (200 a page) in %.2f s; export/history = %.2f",
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
