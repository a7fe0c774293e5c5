import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// Separation of duties (HIPAA 164.308(a)(3)(ii)(B) and (a)(4)(ii)(C); issue 16, item 8): what
/// would let one privileged person act alone waits for a second. Granting Doctor,
/// PrivacyOfficer, Admin or Auditor; resetting the password or second factor of a clinician or
/// of one of those roles (another Admin or a privacy officer approves); erasing someone who did
/// not ask (another privacy officer approves). Where nobody else could approve (a clinic's
/// first Admin, before anyone else has a second factor), the request goes ahead alone; the
/// audit entry of its decision shows who acted.
enum SecondPerson {
    static let grantedRoles: Set<AccountRole> = [.doctor, .privacyOfficer, .admin, .auditor]
    static let resetRoles: Set<AccountRole> = [.doctor, .nurse, .privacyOfficer, .admin, .auditor]

    /// Who may approve `action`: privacy officers alone for an erasure.
    static func approverRoles(for action: RequestType) -> [AccountRole] {
        action == .gdprErase ? [.privacyOfficer] : [.admin, .privacyOfficer]
    }

    /// The approval as the policies see it: its kind (`account` or `erasure`) and who asked.
    static func entity(_ approval: ApprovalRecord) -> Entity {
        Entity(
            uid: EntityUID(type: "Approval", id: "\(approval.id ?? 0)"),
            attributes: [
                "kind": .string(approval.action == .gdprErase ? "erasure" : "account"),
                "requestedBy": .entity(ClinicModel.user(approval.requestedBy))
            ])
    }

    static func info(_ approval: ApprovalRecord) -> ApprovalInfo {
        ApprovalInfo(
            approvalID: Int(approval.id ?? 0), action: approval.action.rawValue, subjectID: approval.subjectID, requestedBy: approval.requestedBy,
            requestedAt: approval.requestedAt, status: approval.status.rawValue, decidedBy: approval.decidedBy)
    }
}

extension AccountService {
    /// Whether `action` by `requester` must wait: someone else could approve it.
    func waitsForSecondPerson(_ action: RequestType, requester: UserRecord) throws -> Bool {
        try context.gate.database.approvers(roles: SecondPerson.approverRoles(for: action), excluding: requester.id) > 0
    }

    /// Stores `action` on `subject` as waiting, and audits it (`approval.request`).
    func pendingApproval(_ action: RequestType, subject: String, requester: UserRecord) async throws -> ApprovalInfo {
        let record = try await context.gate.database.addApproval(
            ApprovalRecord(
                action: action, subjectID: subject, requestedBy: requester.id,
                requestedAt: Clock.nowSeconds()))
        try await context.gate.record(
            "approval.request", code: .create, outcome: .success, actorID: requester.id, actorRole: requester.role.rawValue,
            objectType: "approval", objectID: "\(record.id ?? 0)", subjectID: subject, details: ["action": action.rawValue])
        return SecondPerson.info(record)
    }

    /// approval.list: what waits for a second person.
    func listApprovals(_ user: UserRecord) async throws -> [ApprovalInfo] {
        try await decideApproval(user, .approvalList, resource: Entity(uid: ClinicModel.service), code: .read, subject: "", details: [:])
        return try context.gate.database.pendingApprovals().map(SecondPerson.info)
    }

    /// approval.decide: the second person's verdict, and on approval the change done.
    func decideApproval(_ decision: ApprovalDecide, _ user: UserRecord) async throws -> Reply.ApprovalDecision {
        let type = RequestType.approvalDecide
        let database = context.gate.database
        let id = decision.approvalID
        let verdict = decision.verdict
        guard ["approved", "rejected"].contains(verdict) else { throw ReplyError(code: .badRequest, message: "verdict must be approved or rejected") }
        let approval = try await revealing(type, to: user) {
            guard let found = try database.approval(id: Int64(id)), found.status == .pending else {
                throw ReplyError(code: .notFound, message: "no approval with that id is waiting")
            }
            return found
        }
        try await decideApproval(
            user, type, resource: SecondPerson.entity(approval), code: .update, subject: approval.subjectID,
            details: ["approval": "\(id)", "action": approval.action.rawValue, "verdict": verdict])
        guard let decided = try await database.decideApproval(id: Int64(id), approved: verdict == "approved", by: user.id, at: Clock.nowSeconds())
        else {
            throw ReplyError(code: .conflict, message: "someone else decided that approval first")
        }
        var reply = Reply.ApprovalDecision(approval: SecondPerson.info(decided))
        guard verdict == "approved" else { return reply }
        guard let subject = try database.user(id: approval.subjectID) else { throw ReplyError(code: .notFound, message: "the account is gone") }
        switch approval.action {
        case .userCreate:
            let password = OneTimePassword.make()
            try await database.setPassword(userID: subject.id, hash: try await context.passwords.hash(password), mustChange: true, keeping: nil)
            try await database.setActive(userID: subject.id, true)
            reply.userID = subject.id
            reply.password = password
        case .userResetPassword:
            reply.userID = subject.id
            reply.password = try await resetPassword(of: subject)
        case .userResetSecondFactor:
            reply.userID = subject.id
            reply.enrolmentCode = try await resetSecondFactor(of: subject)
        case .gdprErase:
            reply.erasureReceipt = try await PrivacyService(scope: scope).erase(
                GDPRErase(userID: subject.id), officer: user, approved: true
            ).erasureReceipt
        default:
            throw ReplyError(code: .badRequest, message: "that approval is of no known kind")
        }
        return reply
    }

    private func decideApproval(
        _ user: UserRecord, _ type: RequestType, resource: Entity, code: AuditEvent.Action, subject: String,
        details: [String: String]
    ) async throws {
        var audited = Gate.Request(
            principal: user, action: try type.decidingAction, resource: resource,
            event: type.auditEvent ?? type.rawValue, code: code, objectType: resource.uid.type == "Approval" ? "approval" : "service",
            objectID: resource.uid.type == "Approval" ? resource.uid.id : "ward", subjectID: subject, secondFactor: hasSecondFactor)
        audited.details = details
        try await context.gate.require(audited)
    }
}
