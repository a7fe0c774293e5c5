import Foundation
import WardClient
import WardE2EE
import WardProtocol

/// What the export and erasure benchmarks start from: ward-server as its own process with a
/// patient (who consents to messaging), a privacy officer and doctors on the patient's care team,
/// all in the patient's care room, and that room filled with end-to-end encrypted messages —
/// written by the doctors, or by the patient from several devices at once. Every message is
/// decided and audited with the patient as subject, so the patient also has that many audit
/// entries about them.
struct CareRoomFixture {
    let server: ServerProcess
    let client: BenchClient
    let patientID: String
    let patientToken: String
    let officerToken: String
    let doctors: [(id: String, token: String)]
    let roomID: String
    let generated: Duration

    enum Writers { case doctors, patient }

    static let password = "bench account passphrase"

    static func make(messages: Int, writers: Int, writtenBy: Writers) async throws -> CareRoomFixture {
        let server = try await ServerProcess.start()
        do {
            return try await fill(server, messages: messages, writers: writers, writtenBy: writtenBy)
        } catch {
            server.stop()
            throw error
        }
    }

    private static func fill(_ server: ServerProcess, messages: Int, writers: Int, writtenBy: Writers) async throws -> CareRoomFixture {
        let client = try server.client()
        let password = Self.password
        let doctorCount = writtenBy == .doctors ? writers : 2
        let people = [("patient", "Patient"), ("officer", "PrivacyOfficer")] + (0..<doctorCount).map { ("doctor\($0)", "Doctor") }
        let (_, made) = try await client.adminAndAccounts(server, people) { connection, made in
            for doctor in made.dropFirst(2) {
                _ = try await ChatBench.paced(connection, CareTeamChange<CareTeamAdd>(patientID: made[0].id, clinicianID: doctor.id))
            }
        }
        let (patient, officer, doctorAccounts) = (
            (made[0].id, made[0].oneTime), (made[1].id, made[1].oneTime), made.dropFirst(2).map { ($0.id, $0.oneTime) }
        )
        let patientToken = try await client.connect { connection in
            let token = try await ChatBench.firstSignIn(connection, username: "patient", oneTime: patient.1, password: password)
            try await connection.request(ConsentGrant(purpose: "messaging", consentVersion: "1"))
            return token
        }
        let officerToken = try await client.connect {
            try await ChatBench.firstSignIn($0, username: "officer", oneTime: officer.1, password: password)
        }
        var doctors: [(id: String, token: String)] = []
        for (n, doctor) in doctorAccounts.enumerated() {
            doctors.append(
                (
                    doctor.0,
                    try await client.connect { try await ChatBench.firstSignIn($0, username: "doctor\(n)", oneTime: doctor.1, password: password) }
                ))
        }
        // Every device is registered before the room is made (a new device re-keys its rooms),
        // then one writer makes the room with everyone in it and all write.
        let writerAccounts: [(id: String, token: String)] =
            writtenBy == .doctors ? doctors : Array(repeating: (patient.0, patientToken), count: writers)
        let others = writtenBy == .doctors ? [patient.0] + doctors.dropFirst().map(\.id) : doctors.map(\.id)
        if writtenBy == .doctors {
            try await client.connect { connection in
                try await connection.request(Resume(token: patientToken))
                try await SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: patient.0).register()
            }
        } else {
            for doctor in doctors {
                try await client.connect { connection in
                    try await connection.request(Resume(token: doctor.token))
                    try await SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: doctor.id).register()
                }
            }
        }
        let board = Board(clients: writers, rooms: 1)
        let perWriter = messages / writers, extra = messages % writers
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<writers {
                group.addTask {
                    try await client.connect { connection in
                        try await connection.request(Resume(token: writerAccounts[n].token))
                        let messenger = SecureMessenger(connection: connection, identity: DeviceIdentity(), userID: writerAccounts[n].id)
                        try await messenger.register()
                        board.arrive(.registered)
                        await board.wait(.registered)
                        if n == 0 {
                            let create = RoomCreate(kind: "care", name: "Care room", patientID: patient.0, members: others)
                            board.setRoom(0, try await connection.request(create).room.roomID)
                        }
                        board.arrive(.roomsMade)
                        await board.wait(.roomsMade)
                        let roomID = board.room(0)
                        for index in 0..<(perWriter + (n < extra ? 1 : 0)) {
                            try await ExportBench.sendPaced(messenger, MessageContent(body: "clinical note \(index) from writer \(n)"), to: roomID)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return CareRoomFixture(
            server: server, client: client, patientID: patient.0, patientToken: patientToken, officerToken: officerToken,
            doctors: doctors, roomID: board.room(0), generated: clock.now - started)
    }
}
