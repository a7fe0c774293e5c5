import ArgumentParser
import Foundation
import WardClient
import WardProtocol

struct RecordBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "How long reading a patient's record with many entries takes, decryption included.",
        discussion: """
            Starts ward-server as its own process; a doctor on a patient's care team writes --entries \
            record entries (FHIR resources, each sealed under the patient's data key), then reads the \
            whole record --reads times, one request at a time, on one connection. The reference, on \
            the same connection: `whoami` (a policy decision and an audit entry, no record). A read of a \
            large record takes more than one page (replies stay under 1 MiB), each page its own request, \
            decision and audit entry; the time is the whole record's. Reported: \
            p50 and p99 of both, and their ratio.
            """
    )

    @Option(help: "Entries in the record.") var entries: Int = 1000
    @Option(help: "Reads measured.") var reads: Int = 300

    func run() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let client = try server.client()
        let password = CareRoomFixture.password
        let (entries, reads) = (self.entries, self.reads)
        let (_, accounts) = try await client.adminAndAccounts(server, [("doctor", "Doctor"), ("patient", "Patient")]) { connection, made in
            _ = try await ChatBench.paced(connection, CareTeamChange<CareTeamAdd>(patientID: made[1].id, clinicianID: made[0].id))
        }
        let (doctor, patientID) = ((accounts[0].id, accounts[0].oneTime), accounts[1].id)
        let sections: [RecordSection] = [.allergies, .medications, .problems, .notes]
        let clock = ContinuousClock()
        let (record, reference, size) = try await client.connect { connection -> ([Duration], [Duration], Int) in
            _ = try await ChatBench.firstSignIn(connection, username: "doctor", oneTime: doctor.1, password: password)
            for n in 0..<entries {
                let section = sections[n % sections.count]
                let note = "entry \(n): " + String(repeating: "clinical detail ", count: 10)
                let write = RecordWrite(
                    patientID: patientID, section: section.rawValue,
                    resource: #"{"resourceType": "\#(section.resourceType)", "note": [{"text": "\#(note)"}]}"#)
                _ = try await ChatBench.paced(connection, write)
                // Under the connection's 50 requests a second: a client refused too often in a row is cut off.
                try await Task.sleep(for: .milliseconds(21))
            }
            var record: [Duration] = [], reference: [Duration] = []
            var size = 0
            for _ in 0..<reads {
                // A few requests per 100 ms stay under the connection's limit (50 a second), so
                // no measured request waits for the rate limiter.
                try await Task.sleep(for: .milliseconds(100))
                let start = clock.now
                let whole = try await connection.readRecord(RecordRead(patientID: patientID))
                record.append(clock.now - start)
                size = whole.count
                let reference0 = clock.now
                try await ChatBench.paced(connection, Whoami())
                reference.append(clock.now - reference0)
            }
            // Where the time goes, in part: one reply's JSON, written as the server writes it
            // and read as the client reads it, against Foundation's coders alone.
            let read = try await connection.request(RecordRead(patientID: patientID))
            let reply = ReplyFrame(answering: 1, .recordRead, with: read)
            let encoder = JSONEncoder.sortedKeys
            let text = String(decoding: try ReplyEncoding.encode(reply, with: encoder), as: UTF8.self)
            var timings: [[Duration]] = Array(repeating: [], count: 4)
            let steps: [() throws -> Void] = [
                { _ = try ReplyEncoding.encode(reply, with: encoder) }, { _ = try encoder.encode(reply) },
                { _ = try ReplyDecoding.decode(Reply.RecordPage.self, from: text, with: JSONDecoder()) },
                { _ = try JSONDecoder().decode(Reply.RecordPage.self, from: Data(text.utf8)) }
            ]
            for _ in 0..<20 {
                for (index, step) in steps.enumerated() {
                    let start = clock.now
                    try step()
                    timings[index].append(clock.now - start)
                }
            }
            let medians = timings.map { percentileMillis($0.sorted(), 0.5) }
            writeLine(
                String(
                    format:
                        "one reply of %d entries, %.0f KB of JSON (medians): encoding %.2f ms (JSONEncoder alone %.2f), decoding %.2f ms "
                        + "(JSONDecoder alone %.2f)",
                    read.recordEntries.count, Double(text.utf8.count) / 1000, medians[0], medians[1], medians[2], medians[3]))
            return (record.sorted(), reference.sorted(), size)
        }
        writeLine(
            String(
                format: "reading a record of %d entries (%d reads): p50 %.2f ms, p99 %.2f ms (bar: p99 under 20 ms)",
                size, reads, percentileMillis(record, 0.5), percentileMillis(record, 0.99)))
        writeLine(
            String(
                format: "reference, whoami on the same connection: p50 %.2f ms, p99 %.2f ms; record p99 / whoami p99 = %.1f",
                percentileMillis(reference, 0.5), percentileMillis(reference, 0.99),
                percentileMillis(record, 0.99) / max(percentileMillis(reference, 0.99), 0.001)))
        if size != entries { throw ValidationError("read \(size) entries, wrote \(entries)") }
    }
}
