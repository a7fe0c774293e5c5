import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

/// What a domain's handlers are given besides the request and the person asking: the server's
/// shared pieces and the little they need of the connection. A value, so a handler can be run
/// and tested without a socket.
struct RequestScope: Sendable {
    let context: ServerContext
    /// Whether the session was signed in with a second factor (the policies' context.secondFactor).
    let secondFactor: Bool
    /// The device this connection registered (`device.register`), if it did: conversations send
    /// and receive keys with it.
    let device: DeviceRecord?
    /// The connection asking, for events about what it did (the hub does not echo them to it).
    let connectionID: Int
    /// What one reply may carry (pages of records and exports are cut to fit).
    let limits: ConnectionLimits
}

/// Whatever answers requests: the domain services, and the connection for sign-in and the
/// session. What they share is in the extension below.
protocol RequestHandling {
    var scope: RequestScope { get }
}

/// The request handlers of one domain, each taking the request and the signed-in person
/// (`RequestRoute.table` names them). The connection keeps the transport and the session.
protocol RequestService: RequestHandling {
    init(scope: RequestScope)
}

/// Accounts and their administration: users, care teams, the second person's approvals.
struct AccountService: RequestService { let scope: RequestScope }
/// Rooms, members, device keys, sender keys, messages, receipts, presence, finding people.
struct ConversationService: RequestService { let scope: RequestScope }
/// Patient records, amendment requests and emergency (break-glass) access.
struct RecordService: RequestService { let scope: RequestScope }
/// Clinicians' availability and appointments.
struct SchedulingService: RequestService { let scope: RequestScope }
/// Consents, the subject's export, erasure and legal holds (GDPR).
struct PrivacyService: RequestService { let scope: RequestScope }
/// The person's notifications and the Admins' announcements.
struct NotificationService: RequestService { let scope: RequestScope }
/// What the clinic's officers check: audit proofs, failed sign-ins, the backups.
struct OversightService: RequestService { let scope: RequestScope }

extension RequestService {
    /// The service, for a request on `connection`.
    init(_ connection: Connection) { self.init(scope: connection.scope) }
}

extension RequestHandling {
    var context: ServerContext { scope.context }
    var hasSecondFactor: Bool { scope.secondFactor }

    /// How a recovery code or an Admin's enrolment code is stored: its SHA-256, never the code.
    static func recoveryHash(_ code: String) -> String { Hex.encode(SHA256Hash.digest(Array(code.utf8))) }

    func require<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else { throw ReplyError(code: .badRequest, message: "\(field) is required") }
        return value
    }

    /// A request a user makes about their own account.
    func selfRequest(_ user: UserRecord, type: RequestType, code: WardAudit.AuditEvent.Action) throws -> Gate.Request {
        Gate.Request(
            principal: user, action: try type.decidingAction, resource: Entity(uid: ClinicModel.user(user.id)),
            event: type.auditEvent ?? type.rawValue, code: code, objectType: "user", objectID: user.id, subjectID: user.id,
            secondFactor: hasSecondFactor)
    }

    /// A look-up made before the decision that found nothing (or a taken username): only
    /// someone the policies let do this kind of request learns so; anyone else is refused as
    /// they would have been, so a refusal never tells whether an account exists (issue 16, item 10).
    func revealing<T>(_ type: RequestType, to admin: UserRecord, _ work: () throws -> T) async throws -> T {
        do {
            return try work()
        } catch let refusal as ReplyError where [.notFound, .conflict, .badRequest].contains(refusal.code) {
            try await context.gate.require(
                Gate.Request(
                    principal: admin, action: try type.decidingAction, resource: Entity(uid: ClinicModel.service),
                    event: type.auditEvent ?? type.rawValue, code: .read, objectType: "service", objectID: "ward", secondFactor: hasSecondFactor
                ), extraDetails: ["looked-up": "nothing"])
            throw refusal
        }
    }

    func lookUp(id: String, what: String) throws -> UserRecord {
        guard let user = try context.gate.database.user(id: id) else { throw ReplyError(code: .notFound, message: "no such \(what)") }
        return user
    }
}
