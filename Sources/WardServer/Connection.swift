import Foundation
import Logging
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

final class Connection {
    let context: ServerContext
    let logger: Logger
    /// This connection's number in the hub, and where its replies and events queue.
    let connectionID: Int
    let outbox: Outbox
    /// The device this session registered (device.register); needed to send and to receive keys.
    var device: DeviceRecord?
    /// Set by `hello`, and `session` by signing in and out (SignIn.swift).
    var greeted = false
    var session: (tokenHash: String, userID: String, secondFactor: Bool)?
    /// The type of the last request, for metrics ("invalid" when it did not decode).
    private(set) var lastRequestType = "invalid"

    var isAuthenticated: Bool { session != nil }

    /// What one reply may carry, among the connection's limits.
    let limits: ConnectionLimits
    /// The client's IP address, for throttling sign-ins; never logged or audited in the clear.
    let sourceAddress: String?

    init(context: ServerContext, outbox: Outbox, limits: ConnectionLimits, sourceAddress: String? = nil, logger: Logger) {
        self.context = context
        self.sourceAddress = sourceAddress
        self.limits = limits
        self.logger = logger
        self.outbox = outbox
        connectionID = context.hub.makeConnectionID()
    }

    /// Handles one text frame; returns the reply to send.
    func handle(_ text: String) async -> ReplyFrame {
        let request: IncomingRequest
        lastRequestType = "invalid"
        do {
            request = try JSONDecoder().decode(IncomingRequest.self, from: Data(text.utf8))
        } catch {
            let refusal = ReplyError(code: .badRequest, message: "the frame is not a request object {\"id\": <number>, \"type\": <string>, …}")
            return await refuse(Self.salvageID(text), refusal, event: "request.invalid")
        }
        guard let type = request.requestType else {
            lastRequestType = "unknown"
            return await refuse(
                request.id, ReplyError(code: .unknownType, message: "unknown request type; see docs/PROTOCOL.md"), event: "request.unknown")
        }
        lastRequestType = type.rawValue
        if !greeted && type != .hello {
            return .error(request.id, .helloRequired, "send hello with the protocol version first")
        }
        do {
            if let outOfRange = request.outOfRange { throw ReplyError(code: .badRequest, message: outOfRange) }
            if type.deferrableWrite, context.storage.isLow {
                throw ReplyError(
                    code: .storageLow, message: "the server is low on disk space and takes no new data for now; reading still works; try again later")
            }
            return try await dispatch(type, request)
        } catch {
            return await reply(to: request.id, type, failure: error)
        }
    }

    /// Answers a request by its route (`RequestRoute.table`): the session it needs is checked
    /// here, once, and the handler gets the person asking; the handler decides (`Gate.require`)
    /// and acts, and what it throws becomes the reply in `reply(to:_:failure:)`.
    func dispatch(_ type: RequestType, _ request: IncomingRequest) async throws -> ReplyFrame {
        guard let route = RequestRoute.table[type] else {
            throw ReplyError(code: .unknownType, message: "unknown request type; see docs/PROTOCOL.md")
        }
        let answer: any ReplyPayload
        switch route.access {
        case let .open(handler): answer = try await handler(self, request)
        case let .session(handler): answer = try await handler(self, request, try await signedIn())
        case let .ownPassword(handler): answer = try await handler(self, request, try await signedInWithOwnPassword())
        }
        return ReplyFrame(id: request.id, type: ReplyType(answering: type), payload: answer)
    }

    /// What a request that failed gets: a refusal answered as it is (`Refused`) gets its reply; a
    /// refusal that knows its reply gets that reply and its audit entry; a denial, the `denied`
    /// reply naming the deciding policies (already audited); anything else (the audit log or the
    /// database failed) `unavailable`, nothing having been done.
    func reply(to id: Int, _ type: RequestType, failure error: any Error) async -> ReplyFrame {
        switch error {
        case let refused as Refused:
            return ReplyFrame(id: id, type: .error, payload: refused.refusal)
        case let error as any RepliesAs:
            return await refuse(id, error.reply, event: type.auditEvent ?? type.rawValue)
        case let denial as Denied:
            return .error(id, .denied, "refused by policy", policies: denial.policies)
        case is PasswordChecker.Busy:
            return await refuse(
                id, ReplyError(code: .busy, message: "the server is busy checking passwords; try again in a few seconds"),
                event: type.auditEvent ?? type.rawValue)
        default:
            logger.error("request failed", metadata: ["type": "\(type.rawValue)", "error": "\(error)"])
            return .error(id, .unavailable, "the server could not record this request, so it did not act; try again later")
        }
    }

    /// The error reply for a refusal, audited when the connection is signed in: every refusal of
    /// a signed-in request leaves an audit entry, whatever refused it (issue 16, item 7), so a
    /// patient probing another patient's room is seen. The entry holds the request type, the
    /// error code and the validated object: no client text. Refusals whose own path audits them
    /// (a wrong password, an ended session) are not audited twice; nor are refusals before
    /// sign-in, which name no one (sign-in failures are audited by `login`).
    func refuse(_ id: Int?, _ refusal: ReplyError, event: String) async -> ReplyFrame {
        if let session, ![.invalidCredentials, .sessionExpired, .notAuthenticated].contains(refusal.code) {
            do {
                let role = try context.gate.database.user(id: session.userID)?.role.rawValue ?? "none"
                try await context.gate.record(
                    event, code: .execute, outcome: .minorFailure, actorID: session.userID, actorRole: role,
                    objectType: refusal.object?.type ?? "service", objectID: refusal.object?.id ?? "ward",
                    subjectID: refusal.subjectID, details: ["refused": refusal.code.rawValue])
            } catch {
                logger.error("a refusal could not be audited", metadata: ["event": "\(event)", "error": "\(error)"])
                return .error(id, .unavailable, "the server could not record this request, so it did not act; try again later")
            }
        }
        return .error(id, refusal.code, refusal.message)
    }

    /// The numeric id of a request that did not decode, when it can be found, so the error
    /// reply can still be matched to it.
    static func salvageID(_ text: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return object["id"] as? Int
    }

    func hello(_ greeting: Hello) throws -> Reply.Greeting {
        guard greeting.version == WireProtocol.version else {
            throw Refused(.unsupportedVersion, "this server speaks protocol version \(WireProtocol.version)")
        }
        greeted = true
        return Reply.Greeting(version: WireProtocol.version, server: context.serverID)
    }
}

/// The connection answers the sign-in and session requests itself (SignIn.swift,
/// SecondFactor.swift, `device.register`) with the same shared pieces as the domain services.
extension Connection: RequestHandling {
    var scope: RequestScope {
        RequestScope(context: context, secondFactor: hasSecondFactor, device: device, connectionID: connectionID, limits: limits)
    }
}
