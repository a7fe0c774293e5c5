import ArgumentParser
import Foundation
import Synchronization
import WardClient
import WardCrypto
import WardProtocol
import WardStore

struct ReminderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reminders",
        abstract: "Many appointment reminders due in the same minute: are they all delivered within it, each once?",
        discussion: """
            Initialises a data directory and, before ward-server starts, writes --patients patient \
            accounts with sessions and --reminders reminders into its database, spread over one \
            minute that starts about 40 s later (writing them through bookings would need that many \
            clinicians, since a clinician has one appointment per start time; what is measured here is \
            the scheduler). Then it serves the directory, connects every patient, and records each \
            reminder event as it arrives. Reported: how many arrived, how many twice, how late the \
            latest was after its due time, and whether all arrived within their minute. The reference, \
            on the same connections: the same number of notifications made at once (Admin \
            announcements to the patients), timed from the first request to the last arrival.
            """
    )

    @Option(help: "Reminders due in the minute.") var reminders: Int = 10_000
    @Option(help: "Patients they are for, each on its own connection.") var patients: Int = 500

    func validate() throws {
        guard reminders > 0, (1...2000).contains(patients), reminders % patients == 0 else {
            throw ValidationError("reminders must be a positive multiple of patients (1-2000)")
        }
    }

    func run() async throws {
        let (reminders, patients) = (self.reminders, self.patients)
        let now = Int64(Date().timeIntervalSince1970)
        let minute = (now + 40) / 60 * 60 + 60
        let ids = (0..<patients).map { "user:benchpatient\($0)" }
        let tokens = (0..<patients).map { "bench-token-\($0)-" + Hex.encode(SecureRandom.bytes(16)) }
        let server = try await ServerProcess.start { dir in
            let users = (0..<patients).map { n in
                UserRecord(
                    id: ids[n], username: "patient\(n)", displayName: "Patient \(n)", role: .patient, passwordHash: "-",
                    mustChangePassword: false, createdAt: now)
            }
            let sessions = (0..<patients).map { n in
                SessionRecord(tokenHash: Hex.encode(SHA256Hash.digest(Array(tokens[n].utf8))), userID: ids[n], createdAt: now, lastSeenAt: now)
            }
            let due = (0..<reminders).map { r in
                NotificationRecord(
                    userID: ids[r % patients], kind: .reminder, text: "Reminder: appointment Tue 1 Dec 09:30, Room 2",
                    refID: "appt:bench\(r)", createdAt: now, dueAt: minute + Int64(r % 60))
            }
            try await WardDatabase(path: dir + "/ward.sqlite").seed(users: users, sessions: sessions, notifications: due)
        }
        defer { server.stop() }
        let client = server.client
        let benchClient = try client()
        let clock = ContinuousClock()
        struct Arrival: Sendable { var id: Int; var dueAt: Int64; var at: Double; var kind: String }
        let arrivals = Shared<[Arrival]>([])
        let board = Board(clients: patients, rooms: 0)
        let stop = Shared(false)
        let listeners = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<patients {
                    group.addTask {
                        // Connections open a few at a time: a burst of TLS handshakes on two cores
                        // would outlast the server's sign-in deadline.
                        try await Task.sleep(for: .milliseconds(15 * n))
                        try await benchClient.connect { connection in
                            do {
                                try await connection.request(Resume(token: tokens[n]))
                            } catch {
                                // The others must not wait for this one.
                                writeLine("patient \(n) could not resume its session: \(error)")
                                board.arrive(.registered)
                                throw error
                            }
                            board.arrive(.registered)
                            while !stop.withLock({ $0 }) {
                                let event = try await connection.nextEvent()
                                guard case let .notification(note) = event else { continue }
                                let at = Date().timeIntervalSince1970
                                arrivals.withLock { $0.append(Arrival(id: note.notificationID, dueAt: note.dueAt, at: at, kind: note.kind)) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        await board.wait(.registered)
        try await Task.sleep(for: .milliseconds(200))
        if listeners.isCancelled { throw ExitCode(1) }
        writeLine("\(patients) patients connected; \(reminders) reminders due from \(minute) (in \(minute - Int64(Date().timeIntervalSince1970)) s)")
        // Wait for the minute and a little after it.
        let deadline = Double(minute + 75)
        while Date().timeIntervalSince1970 < deadline {
            let count = arrivals.withLock { $0.filter { $0.kind == "reminder" }.count }
            if count >= reminders, Date().timeIntervalSince1970 > Double(minute + 61) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let reminderArrivals = arrivals.withLock { $0.filter { $0.kind == "reminder" } }
        let unique = Set(reminderArrivals.map(\.id))
        let late = reminderArrivals.map { $0.at - Double($0.dueAt) }.max() ?? 0
        let withinMinute = reminderArrivals.filter { $0.at < Double(minute + 60) }.count
        writeLine(
            String(
                format: "reminders: %d of %d arrived, %d twice; latest %.3f s after its due time; %d within their minute%@",
                unique.count, reminders, reminderArrivals.count - unique.count, late, withinMinute,
                unique.count == reminders && reminderArrivals.count == reminders && withinMinute == reminders ? " (bar met)" : " (BAR MISSED)"))

        // Reference: as many notifications made at once, by announcements to the same patients.
        let otp = server.oneTimePassword
        let announcements = reminders / patients
        let referenceStart = clock.now
        let before = arrivals.withLock { $0.count }
        try await benchClient.connect { connection in
            _ = try await ChatBench.firstSignIn(connection, username: "admin", oneTime: otp, password: CareRoomFixture.password)
            let start = clock.now
            for n in 0..<announcements {
                _ = try await ChatBench.paced(connection, NotificationAnnounce(text: "Announcement \(n)", role: "Patient"))
            }
            _ = start
        }
        while arrivals.withLock({ $0.count }) < before + reminders, clock.now - referenceStart < .seconds(120) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let referenceTime = clock.now - referenceStart
        stop.withLock { $0 = true }
        listeners.cancel()
        let spread = (reminderArrivals.map(\.at).max() ?? 0) - Double(minute)
        writeLine(
            String(
                format:
                    "reference: %d notifications made at once (%d announcements) arrived in %.2f s; the reminders' minute took %.2f s from "
                    + "its start to the last arrival",
                reminders, announcements, referenceTime.seconds, spread))
        if unique.count != reminders || reminderArrivals.count != reminders || withinMinute != reminders { throw ExitCode(1) }
    }
}
