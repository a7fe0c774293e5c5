import Foundation
import Testing
import WardAudit
import WardClient
import WardCrypto
import WardProtocol
import WardServer
import WardTestSupport

@Suite("Accounts and care teams", .serialized)
struct AdministrationTests {
    static let adminPassword = "the administrator's passphrase"

    /// Signs in as the Admin after the one-time password was changed, with a recovery code as
    /// the second factor.
    static func signInAsAdmin(_ connection: WardConnection, recovery: String) async throws {
        let session = try await connection.login(username: "admin", password: adminPassword, totp: recovery)
        #expect(session.secondFactor == true)
    }

    @Test func adminCreatesUsersAndCareTeamsThatThePoliciesUse() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let otp = server.adminPassword
        let (doctorPassword, patientID, doctorID, recovery) = try await server.connect { connection in
            // A one-time password must be changed before administering, and staff need a second factor.
            _ = try await connection.login(username: "admin", password: otp)
            #expect(try await connection.send(ClientRequest(id: 0, type: .userList)).code == .passwordChangeRequired)
            try await connection.changePassword(current: otp, new: Self.adminPassword)
            let refused = try await connection.send(ClientRequest(id: 0, type: .userList))
            #expect(refused.code == .denied && refused.policies == ["staff-need-second-factor"])
            let enrolment = try await connection.enrollSecondFactor()
            #expect(enrolment.uri.hasPrefix("otpauth://totp/Ward:admin?secret=\(enrolment.secret)"))
            #expect(
                try await connection.send(ClientRequest(id: 0, type: .totpConfirm, totp: "000000")).code == .invalidCredentials
                    || ServerHarness.code(enrolment.secret) == "000000")
            let recovery = try await connection.confirmSecondFactor(code: ServerHarness.code(enrolment.secret))
            #expect(recovery.count == 10)
            // Neither the TOTP secret nor a recovery code is in the database in the clear.
            let database = try Data(contentsOf: URL(fileURLWithPath: server.data.database))
            let wal = (try? Data(contentsOf: URL(fileURLWithPath: server.data.database + "-wal"))) ?? Data()
            for bytes in [Data(Base32.decode(enrolment.secret) ?? [1]), Data(enrolment.secret.utf8), Data(recovery[0].utf8)] {
                #expect(database.range(of: bytes) == nil && wal.range(of: bytes) == nil)
            }

            let doctor = try await connection.request(
                ClientRequest(id: 0, type: .userCreate, username: "dr.ann", displayName: "Dr Ann Example", role: "Doctor"))
            let patient = try await connection.request(
                ClientRequest(id: 0, type: .userCreate, username: "pat.one", displayName: "Pat One", role: "Patient"))
            #expect(try await connection.send(ClientRequest(id: 0, type: .userCreate, username: "dr.ann", role: "Doctor")).code == .conflict)
            #expect(try await connection.send(ClientRequest(id: 0, type: .userCreate, username: "x", role: "Wizard")).code == .badRequest)
            // Display names cannot carry line breaks, bidirectional overrides or unbounded length.
            for name in ["line\nbreak", "evil\u{202E}txt", String(repeating: "n", count: 129), "   ", ""] {
                #expect(
                    try await connection.send(ClientRequest(id: 0, type: .userCreate, username: "x", displayName: name, role: "Nurse")).code
                        == .badRequest)
            }
            let emoji = try await connection.request(
                ClientRequest(id: 0, type: .userCreate, username: "nurse.joy", displayName: "Joy 🧑\u{200D}⚕️ Nurse", role: "Nurse"))
            #expect(emoji.userID != nil)
            let list = try await connection.request(ClientRequest(id: 0, type: .userList))
            #expect(Set(list.users?.map(\.username) ?? []) == ["admin", "dr.ann", "pat.one", "nurse.joy"])

            let patientID = patient.userID ?? "", doctorID = doctor.userID ?? ""
            try await connection.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: patientID, clinicianID: doctorID))
            #expect(
                try await connection.send(ClientRequest(id: 0, type: .careTeamAdd, patientID: patientID, clinicianID: doctorID)).code == .conflict)
            #expect(
                try await connection.send(ClientRequest(id: 0, type: .careTeamAdd, patientID: doctorID, clinicianID: patientID)).code == .badRequest)
            let team = try await connection.request(ClientRequest(id: 0, type: .careTeamList, patientID: patientID))
            #expect(team.members == [doctorID])
            return (doctor.password ?? "", patientID, doctorID, recovery)
        }

        // The doctor signs in with the one-time password and may not administer (policy).
        try await server.connect { connection in
            let session = try await connection.login(username: "dr.ann", password: doctorPassword)
            #expect(session.mustChangePassword == true && session.role == "Doctor")
            try await connection.changePassword(current: doctorPassword, new: "doctor's own long passphrase")
            let denied = try await connection.send(ClientRequest(id: 0, type: .userList))
            #expect(denied.code == .denied)
        }

        // Disabling ends the doctor's access; the Admin re-enables and resets.
        try await server.connect { connection in
            // Without the second factor the Admin cannot sign in; a recovery code works once.
            #expect(
                try await connection.send(ClientRequest(id: 0, type: .login, username: "admin", password: Self.adminPassword)).code
                    == .secondFactorRequired)
            try await Self.signInAsAdmin(connection, recovery: recovery[0])
            try await connection.request(ClientRequest(id: 0, type: .userDisable, userID: doctorID))
            let reset = try await connection.request(ClientRequest(id: 0, type: .userResetPassword, username: "dr.ann"))
            #expect((reset.password ?? "").count == 20)
            try await connection.request(ClientRequest(id: 0, type: .careTeamRemove, patientID: patientID, clinicianID: doctorID))
            #expect(try await connection.request(ClientRequest(id: 0, type: .careTeamList, patientID: patientID)).members == [])
        }
        try await server.connect { connection in
            let disabled = try await connection.send(ClientRequest(id: 0, type: .login, username: "dr.ann", password: "doctor's own long passphrase"))
            #expect(disabled.code == .invalidCredentials, "the reset replaced the password")
            let reused = try await connection.send(
                ClientRequest(id: 0, type: .login, username: "admin", password: Self.adminPassword, totp: recovery[0]))
            #expect(reused.code == .invalidCredentials, "a recovery code works once")
        }
        await server.stop()

        // No name or username reaches the audit log; every admin action is an entry.
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: server.data.auditLog + "/entries"))
        for text in ["dr.ann", "pat.one", "Dr Ann Example", "Pat One"] {
            #expect(bytes.range(of: Data(text.utf8)) == nil, "the audit log holds \(text)")
        }
        for type in ["user.create", "user.list", "careteam.add", "careteam.list", "user.disable", "user.reset-password", "careteam.remove"] {
            #expect(entries.contains { $0.event.type == type && $0.event.decision == .allow }, "\(type) audited")
        }
        #expect(entries.contains { $0.event.type == "user.list" && $0.event.decision == .deny && $0.event.actorID == doctorID })
    }
}
