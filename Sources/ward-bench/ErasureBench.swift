import ArgumentParser
import Foundation
import Synchronization
import WardClient
import WardE2EE
import WardProtocol

struct ErasureBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erasure",
        abstract: "How long erasing a patient with many messages and audit entries takes, and what other users see meanwhile.",
        discussion: """
            Starts ward-server as its own process, and has a patient write --messages end-to-end \
            encrypted messages into their care room from --writers devices at once (each message is \
            audited with the patient as subject). Two doctors then chat in a staff room, one message \
            at a time, while the privacy officer exports the patient (the reference: reading all of the \
            patient's data) and then erases them (gdpr.erase, as wardctl gdpr erase does). Reported: \
            the erasure's time against the bar and as a ratio to the export's, and the doctors' \
            acknowledgement latency before and during the erasure.
            """
    )

    @Option(help: "Messages the patient writes.") var messages: Int = 100_000
    @Option(help: "The patient's devices writing them, each on its own connection.") var writers: Int = 40

    func validate() throws {
        guard messages > 0, (1...250).contains(writers) else { throw ValidationError("messages must be positive and writers 1-250") }
    }

    /// Acknowledgement times of the doctors' chat, tagged with the phase they fell in.
    final class Latencies: Sendable {
        enum Phase: Int, Sendable { case before, during, after }
        private let state = Mutex<(phase: Phase, samples: [[Duration]], stop: Bool)>((.before, [[], [], []], false))
        var phase: Phase {
            get { state.withLock { $0.phase } }
            set { state.withLock { $0.phase = newValue } }
        }
        var stopped: Bool { state.withLock { $0.stop } }
        func stop() { state.withLock { $0.stop = true } }
        func record(_ time: Duration) { state.withLock { $0.samples[$0.phase.rawValue].append(time) } }
        func samples(_ phase: Phase) -> [Duration] { state.withLock { $0.samples[phase.rawValue] }.sorted() }
    }

    func run() async throws {
        let fixture = try await CareRoomFixture.make(messages: messages, writers: writers, writtenBy: .patient)
        defer { fixture.server.stop() }
        let client = fixture.client
        print(String(format: "the patient wrote %d messages from %d devices in %.1f s", messages, writers, fixture.generated.seconds))
        let (officerToken, patientID, doctors) = (fixture.officerToken, fixture.patientID, fixture.doctors)
        let clock = ContinuousClock()
        let latencies = Latencies()

        // The other users: two doctors chatting, one message in flight at a time.
        let chat = Task {
            try await client.connect { connection in
                try await connection.request(Resume(token: doctors[0].token))
                let messenger = SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: doctors[0].id)
                try await messenger.register()
                let roomID = try await connection.request(RoomCreate(kind: "staff", name: "Handover", members: [doctors[1].id])).room.roomID
                var n = 0
                while !latencies.stopped {
                    let start = clock.now
                    try await ExportBench.sendPaced(messenger, MessageContent(body: "handover note \(n)"), to: roomID)
                    latencies.record(clock.now - start)
                    n += 1
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
        }
        try await Task.sleep(for: .seconds(2))

        let (exportTime, exported) = try await client.connect { connection -> (Duration, Int) in
            try await connection.request(Resume(token: officerToken))
            let start = clock.now
            let document = try await connection.exportSubject(userID: patientID)
            return (clock.now - start, document.messages.count)
        }
        latencies.phase = .during
        let (eraseTime, receipt) = try await client.connect { connection -> (Duration, ErasureReceipt?) in
            try await connection.request(Resume(token: officerToken))
            let start = clock.now
            let reply = try await connection.request(GDPRErase(userID: patientID))
            return (clock.now - start, reply.erasureReceipt)
        }
        latencies.phase = .after
        try await Task.sleep(for: .seconds(1))
        latencies.stop()
        try await chat.value

        let shredded = receipt?.items.first { $0.table == "message" && $0.action == "crypto-shredded" }?.count ?? 0
        print(
            String(
                format: "erasure: %d messages crypto-shredded, %d data keys destroyed, in %.2f s (bar: under 5 s)",
                shredded, receipt?.keysDestroyed ?? 0, eraseTime.seconds))
        print(
            String(
                format: "reference: exporting the same patient (%d messages) took %.2f s; erasure/export = %.2f",
                exported, exportTime.seconds, eraseTime.seconds / max(exportTime.seconds, 0.001)))
        for (name, phase) in [("before", Latencies.Phase.before), ("during", .during), ("after", .after)] {
            let samples = latencies.samples(phase)
            guard !samples.isEmpty else {
                print("other users \(name) the erasure: no message acknowledged")
                continue
            }
            func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))].seconds * 1000 }
            print(
                String(
                    format: "other users %@ the erasure: %d messages acknowledged, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    name, samples.count, percentile(0.5), percentile(0.99), (samples.last ?? .zero).seconds * 1000))
        }
    }
}
