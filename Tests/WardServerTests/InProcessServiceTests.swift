import Foundation
import Testing
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore
import WardTestSupport
@testable import WardServer

/// The domain services answer without a socket (issue 20): a context over a fresh data
/// directory and the clinic's policies, the handlers called directly. Every decision still
/// passes the gate and leaves its audit entry; the end-to-end suites cover the same requests
/// over TLS.
@Suite("Domain services in process")
struct InProcessServiceTests {
    /// A clinic's server pieces without a listener: Nurse Ann, and patients Pia and Ben.
    struct Clinic {
        let dir: TemporaryDirectory
        let context: ServerContext
        let log: AuditLog
        let nurse: UserRecord
        let pia: UserRecord
        let ben: UserRecord

        static func open() async throws -> Clinic {
            let dir = try TemporaryDirectory()
            let data = DataDirectory(path: dir.path + "/data")
            let hasher = try Argon2id(parameters: ServerHarness.testHashing)
            _ = try await data.initialise(hostnames: ["localhost"], passwordHasher: hasher)
            let (serverID, signer) = try data.loadIdentity()
            let database = try WardDatabase(path: data.database)
            let log = try AuditLog.open(.init(directory: data.auditLog, signer: signer, source: serverID))
            let masterKey = try data.loadMasterKey()
            let context = ServerContext(
                serverID: serverID,
                gate: Gate(database: database, policies: try await PolicyStore(directory: ServerHarness.repositoryPolicies), audit: log),
                passwords: try PasswordChecker(hasher: hasher, concurrent: 1), limits: SessionLimits(), masterKey: masterKey,
                subjectKeys: try SubjectKeys(directory: data.subjectKeys, masterKey: masterKey),
                auditTexts: try ErasableTextStore(directory: data.auditTexts))
            func account(_ name: String, _ role: AccountRole) async throws -> UserRecord {
                let user = UserRecord(
                    id: "user:" + name, username: name, displayName: name, role: role, passwordHash: "-", mustChangePassword: false,
                    createdAt: 0)
                try await database.insert(user)
                return user
            }
            return Clinic(
                dir: dir, context: context, log: log, nurse: try await account("ann", .nurse), pia: try await account("pia", .patient),
                ben: try await account("ben", .patient))
        }

        /// A session's scope; staff sessions are signed in with a second factor (policies/authentication.cedar).
        func scope(secondFactor: Bool) -> RequestScope {
            RequestScope(context: context, secondFactor: secondFactor, device: nil, connectionID: 0, limits: ConnectionLimits())
        }

        func close() async throws {
            try await log.close()
            dir.cleanup()
        }
    }

    @Test func aNurseOpensAStaffRoomAndTheDecisionIsAudited() async throws {
        let clinic = try await Clinic.open()
        let before = clinic.log.size
        let request = RoomCreate(kind: "staff", name: "Ward 3")
        let reply = try await ConversationService(scope: clinic.scope(secondFactor: true)).createRoom(request, clinic.nurse)
        #expect(reply.room.kind == "staff")
        #expect(reply.room.name == "Ward 3")
        let entry = try #require(try AuditLogReader(directory: clinic.context.gate.audit.directory).entries().last)
        #expect(clinic.log.size == before + 1)
        #expect(entry.event.type == "room.create" && entry.event.decision == .allow && entry.event.actorID == clinic.nurse.id)
        try await clinic.close()
    }

    @Test func aPatientAskingForAnotherPatientsRecordIsDeniedAndAudited() async throws {
        let clinic = try await Clinic.open()
        await #expect(throws: Denied.self) {
            try await RecordService(scope: clinic.scope(secondFactor: false)).readRecordPage(
                RecordRead(patientID: clinic.ben.id), clinic.pia)
        }
        let entry = try #require(try AuditLogReader(directory: clinic.context.gate.audit.directory).entries().last)
        #expect(entry.event.type == "record.read" && entry.event.decision == .deny)
        #expect(entry.event.actorID == clinic.pia.id && entry.event.subjectID == clinic.ben.id)
        try await clinic.close()
    }
}
