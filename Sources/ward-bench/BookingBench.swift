import ArgumentParser
import Foundation
import Synchronization
import WardClient
import WardProtocol

struct BookingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "booking",
        abstract: "Many patients racing for few appointment slots: exactly one booking per slot succeeds.",
        discussion: """
            Starts ward-server as its own process, makes a doctor with --slots ten-minute slots and \
            --clients patients, each on its own connection. All of them ask for the free slots (the \
            reference: the same clients, the same connections, a read through the same gate), then, \
            released together, patient i books slot i modulo --slots. Reported: how many bookings \
            succeeded (the bar: exactly one per slot), how many got `slot_taken` (everyone else), any \
            other answer (there must be none), and the time and latency of both rounds.
            """
    )

    @Option(help: "Patients, each on its own connection.") var clients: Int = 100
    @Option(help: "Slots they race for.") var slots: Int = 50

    func validate() throws {
        guard (2...1000).contains(clients), (1...500).contains(slots), slots <= clients else {
            throw ValidationError("clients 2-1000, slots 1-500 and at most clients")
        }
    }

    func run() async throws {
        let server = try await ServerProcess.start()
        defer { server.stop() }
        let client = try server.client()
        let password = CareRoomFixture.password
        let (clients, slots) = (self.clients, self.slots)
        let (_, accounts) = try await client.adminAndAccounts(server, [("doctor", "Doctor")] + (0..<clients).map { ("patient\($0)", "Patient") })
        let doctorID = accounts[0].id
        let start = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        try await client.connect { connection in
            _ = try await ChatBench.firstSignIn(connection, username: "doctor", oneTime: accounts[0].oneTime, password: password)
            try await connection.request(AvailabilityAdd(kind: "open", startsAt: start, endsAt: start + Int64(slots) * 600, slotMinutes: 10))
        }
        // Patients sign in (changing their one-time password); no second factor is needed for them.
        var tokens: [String] = []
        for n in 0..<clients {
            tokens.append(
                try await client.connect { connection in
                    let session = try await connection.login(username: "patient\(n)", password: accounts[n + 1].oneTime)
                    try await connection.changePassword(current: accounts[n + 1].oneTime, new: password)
                    return session.token ?? ""
                })
        }
        let sessions = tokens
        let board = Board(clients: clients, rooms: 0)
        let clock = ContinuousClock()
        let results = Shared<(reads: [Duration], books: [Duration], codes: [String: Int])>(([], [], [:]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<clients {
                group.addTask {
                    try await client.connect { connection in
                        try await connection.request(Resume(token: sessions[n]))
                        board.arrive(.registered)
                        await board.wait(.registered)
                        let readStart = clock.now
                        let free = try await connection.request(AppointmentSlots(clinicianID: doctorID)).slots
                        let readTime = clock.now - readStart
                        guard free.count == slots else { throw ValidationError("patient \(n) saw \(free.count) free slots, not \(slots)") }
                        board.arrive(.roomsMade)
                        await board.wait(.roomsMade)
                        let book = AppointmentBook(clinicianID: doctorID, startsAt: start + Int64(n % slots) * 600)
                        let bookStart = clock.now
                        let outcome: String
                        do {
                            try await connection.request(book)
                            outcome = "booked"
                        } catch let WardClientError.server(code, _, _) {
                            outcome = code.rawValue
                        }
                        let bookTime = clock.now - bookStart
                        results.withLock {
                            $0.reads.append(readTime)
                            $0.books.append(bookTime)
                            $0.codes[outcome, default: 0] += 1
                        }
                        board.arrive(.warm)
                        await board.wait(.warm)
                    }
                }
            }
            try await group.waitForAll()
        }
        let (reads, books, codes) = results.withLock { ($0.reads.sorted(), $0.books.sorted(), $0.codes) }
        let booked = codes["booked"] ?? 0, taken = codes["slot_taken"] ?? 0
        let other = codes.filter { $0.key != "booked" && $0.key != "slot_taken" }
        writeLine(
            "\(clients) patients, \(slots) slots: \(booked) booked, \(taken) told slot_taken, other answers: \(other.isEmpty ? "none" : "\(other)")"
                + (booked == slots && taken == clients - slots && other.isEmpty ? " (bar met: exactly one booking per slot)" : " (BAR MISSED)"))
        writeLine(
            String(
                format: "booking latency p50 %.1f ms, p99 %.1f ms; reference, reading the free slots: p50 %.1f ms, p99 %.1f ms; p99 ratio %.2f",
                percentileMillis(books, 0.5), percentileMillis(books, 0.99), percentileMillis(reads, 0.5), percentileMillis(reads, 0.99),
                percentileMillis(books, 0.99) / max(percentileMillis(reads, 0.99), 0.001)))
        if booked != slots || taken != clients - slots || !other.isEmpty { throw ExitCode(1) }
    }
}
