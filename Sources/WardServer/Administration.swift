import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

/// Account and care-team management (Admin duties under the clinic's policies). Names and
/// usernames go to the database and to the administrator, never to the audit log: entries
/// name accounts by their opaque ids.
extension AccountService {
    /// Account and care-team management starts here: what the request names is looked up first
    /// (so the audit entry records the real object, and a refusal never tells whether an account
    /// exists), then decided; the request is done by the caller.
    func admitted(_ type: RequestType, _ names: AdministrationNames, _ admin: UserRecord) async throws -> AdministrationSubjects {
        let subjects = try await administrationSubjects(type, names, admin: admin)
        try await decideAdministration(type, subjects, admin: admin)
        return subjects
    }

    /// user.list: every account.
    func listUsers(_ admin: UserRecord) async throws -> Reply.Users {
        _ = try await admitted(.userList, AdministrationNames(creating: nil), admin)
        return Reply.Users(users: try context.gate.database.allUsers().map(Self.info))
    }

    /// user.show: the account named.
    func showUser(_ named: NamedAccount<UserShow>, _ admin: UserRecord) async throws -> Reply.Users {
        let subjects = try await admitted(.userShow, AdministrationNames(named), admin)
        return Reply.Users(users: subjects.target.map { [Self.info($0)] } ?? [])
    }

    /// What an administration request's payload names, before anything is looked up: an account
    /// (by id or username), a care team's patient and clinician, or the account to create.
    struct AdministrationNames {
        var userID: String?
        var username: String?
        var patientID: String?
        var clinicianID: String?
        var creating: UserCreate?

        init<Request>(_ account: NamedAccount<Request>) { (userID, username) = (account.userID, account.username) }
        init<Request>(_ change: CareTeamChange<Request>) { (patientID, clinicianID) = (change.patientID, change.clinicianID) }
        init(_ list: NamedPatient<CareTeamList>) { patientID = list.patientID }
        init(creating: UserCreate?) { self.creating = creating }
    }

    /// What an administration request names: the account it acts on, the care team's patient
    /// and clinician, or the account it creates (not stored yet).
    struct AdministrationSubjects {
        var target: UserRecord?
        var patient: UserRecord?
        var clinician: UserRecord?
        var newUser: UserRecord?

        /// What the audit entry names.
        var object: UserRecord? { target ?? newUser ?? patient }
    }

    func administrationSubjects(_ type: RequestType, _ request: AdministrationNames, admin: UserRecord) async throws -> AdministrationSubjects {
        let database = context.gate.database
        // Resolve what the request names before deciding, so the entry records the real object.
        var target: UserRecord?
        if [.userShow, .userDisable, .userEnable, .userResetPassword, .userResetSecondFactor].contains(type) {
            target = try await revealing(type, to: admin) { try lookUp(request) }
        }
        var patient: UserRecord?, clinician: UserRecord?
        if [.careTeamAdd, .careTeamRemove, .careTeamList].contains(type) {
            patient = try await revealing(type, to: admin) {
                let patient = try lookUp(id: try require(request.patientID, "patientID"), what: "patient")
                guard patient.role == .patient else { throw ReplyError(code: .badRequest, message: "patientID does not name a Patient account") }
                return patient
            }
            if type != .careTeamList {
                clinician = try await revealing(type, to: admin) {
                    let clinician = try lookUp(id: try require(request.clinicianID, "clinicianID"), what: "clinician")
                    guard clinician.role.isClinician else {
                        throw ReplyError(code: .badRequest, message: "clinicianID does not name a Doctor or Nurse account")
                    }
                    return clinician
                }
            }
        }
        var newUser: UserRecord?
        if let creating = request.creating {
            let username = creating.username
            guard let role = AccountRole(rawValue: creating.role) else {
                throw ReplyError(code: .badRequest, message: "role must be one of \(AccountRole.names)")
            }
            let stored: String
            switch Username.normalised(username) {
            case let .success(name): stored = name
            case let .failure(refusal): throw ReplyError(code: .badRequest, message: refusal.description)
            }
            let displayName = creating.displayName ?? username
            guard DisplayNames.isAcceptable(displayName) else {
                throw ReplyError(code: .badRequest, message: "displayName must be 1-128 characters without control or formatting characters")
            }
            try await revealing(type, to: admin) {
                guard try database.user(username: stored) == nil else { throw ReplyError(code: .conflict, message: "that username is taken") }
            }
            // The password is hashed once the policies have allowed the creation: nobody makes the
            // server spend an Argon2 hash on a request it refuses (issue 16, item 6).
            newUser = UserRecord(
                id: "user:" + OpaqueID.make(), username: stored, displayName: displayName,
                role: role, passwordHash: "", mustChangePassword: true, createdAt: Clock.nowSeconds())
        }
        return AdministrationSubjects(target: target, patient: patient, clinician: clinician, newUser: newUser)
    }

    func decideAdministration(_ type: RequestType, _ subjects: AdministrationSubjects, admin: UserRecord) async throws {
        let (object, newUser, clinician) = (subjects.object, subjects.newUser, subjects.clinician)
        let resource = object.map { Entity(uid: ClinicModel.user($0.id)) } ?? Entity(uid: ClinicModel.service)
        var details: [String: String] = [:]
        if let newUser { details["role"] = newUser.role.rawValue }
        if let clinician { details["clinician"] = clinician.id }
        let code: AuditEvent.Action
        switch type {
        case .userCreate, .careTeamAdd: code = .create
        case .userList, .userShow, .careTeamList: code = .read
        case .careTeamRemove: code = .delete
        default: code = .update
        }
        try await context.gate.require(
            Gate.Request(
                principal: admin, action: try type.decidingAction, resource: resource, event: type.auditEvent ?? type.rawValue, code: code,
                objectType: type.rawValue.hasPrefix("careteam") ? "careteam" : (object == nil ? "service" : "user"),
                objectID: object?.id ?? "ward", subjectID: object?.id ?? "", secondFactor: hasSecondFactor
            ), extraDetails: details)
    }

    /// Stores the new account: with a one-time password, or, for a role a second person grants,
    /// disabled until they approve.
    func createUser(_ creating: UserCreate, _ admin: UserRecord) async throws -> Reply.AccountChange {
        let created = try await admitted(.userCreate, AdministrationNames(creating: creating), admin).newUser
        let database = context.gate.database
        var reply = Reply.AccountChange(userID: created?.id)
        if var newUser = created {
            if SecondPerson.grantedRoles.contains(newUser.role), try waitsForSecondPerson(.userCreate, requester: admin) {
                // The account exists, disabled and with no usable password, until another
                // Admin or a privacy officer approves the role (approval.decide).
                newUser.active = false
                newUser.passwordHash = "!"
                try await database.insert(newUser)
                reply.approvals = [try await pendingApproval(.userCreate, subject: newUser.id, requester: admin)]
            } else {
                let password = OneTimePassword.make()
                newUser.passwordHash = try await context.passwords.hash(password)
                try await database.insert(newUser)
                reply.password = password
            }
        }
        return reply
    }

    /// user.disable, user.enable, user.reset-password, user.reset-second-factor: the account
    /// named, changed (or the change waiting for a second person).
    func changeAccount<Request>(_ named: NamedAccount<Request>, _ admin: UserRecord) async throws -> Reply.AccountChange {
        let type = Request.type
        let target = try await admitted(type, AdministrationNames(named), admin).target
        let database = context.gate.database
        var reply = Reply.AccountChange(userID: target?.id)
        switch type {
        case .userDisable, .userEnable:
            if let target {
                if type == .userEnable, try database.pendingApproval(action: .userCreate, subjectID: target.id) != nil {
                    throw ReplyError(code: .conflict, message: "this account waits for a second person's approval of its role (approval.decide)")
                }
                try await database.setActive(userID: target.id, type == .userEnable)
                if type == .userDisable { context.hub.endSessions(ofUser: target.id) }
            }
        default:
            if let target {
                if SecondPerson.resetRoles.contains(target.role), try waitsForSecondPerson(type, requester: admin) {
                    reply.approvals = [try await pendingApproval(type, subject: target.id, requester: admin)]
                } else if type == .userResetPassword {
                    reply.password = try await resetPassword(of: target)
                } else {
                    reply.enrolmentCode = try await resetSecondFactor(of: target)
                }
            }
        }
        return reply
    }

    /// careteam.add, careteam.remove: the clinician put on or taken off the patient's care team.
    func changeCareTeam<Request>(_ change: CareTeamChange<Request>, _ admin: UserRecord) async throws -> Reply.Done {
        let type = Request.type
        let subjects = try await admitted(type, AdministrationNames(change), admin)
        let database = context.gate.database
        guard let patient = subjects.patient, let clinician = subjects.clinician else { return Reply.Done() }
        let member = CareTeamMember(patientID: patient.id, clinicianID: clinician.id)
        if type == .careTeamAdd {
            guard try await database.addCareTeamMember(member) else {
                throw ReplyError(code: .conflict, message: "that clinician is already on the care team")
            }
            return Reply.Done()
        }
        guard try await database.removeCareTeamMember(member) else {
            throw ReplyError(code: .notFound, message: "that clinician is not on the care team")
        }
        // Off the care team means out of the patient's care rooms, with new keys from then on.
        for room in try database.careRooms(patientID: patient.id, memberID: clinician.id) {
            try await ConversationService.removeFromRoom(room, userID: clinician.id, context: context)
        }
        return Reply.Done()
    }

    /// careteam.list: the patient's care team.
    func listCareTeam(_ list: NamedPatient<CareTeamList>, _ admin: UserRecord) async throws -> Reply.CareTeam {
        let patient = try await admitted(.careTeamList, AdministrationNames(list), admin).patient
        return Reply.CareTeam(members: try patient.map { try context.gate.database.careTeam(ofPatient: $0.id) } ?? [])
    }

    /// A new one-time password for `target`, every session ended, and the person told (seen: an
    /// Admin reset a patient's password, signed in as the patient and read their record, and the
    /// patient never knew; issue 16, item 8).
    func resetPassword(of target: UserRecord) async throws -> String {
        let database = context.gate.database
        let password = OneTimePassword.make()
        try await database.setPassword(userID: target.id, hash: try await context.passwords.hash(password), mustChange: true, keeping: nil)
        try await database.resetFailedLogins(userID: target.id)
        context.hub.endSessions(ofUser: target.id)
        try await tellAccountChanged(
            target, "Your password was reset by the clinic's administrators. If you did not ask for this, tell the clinic's privacy officer.")
        return password
    }

    /// For a lost authenticator: the second factor removed, every session ended, and the code the
    /// person enrols a new one with (not whoever holds their password; 7 days, once).
    func resetSecondFactor(of target: UserRecord) async throws -> String {
        let database = context.gate.database
        try await database.removeSecondFactor(userID: target.id)
        context.hub.endSessions(ofUser: target.id)
        let code = OneTimePassword.make(length: 12)
        try await database.issueEnrolmentCode(userID: target.id, codeHash: Self.recoveryHash(code), expiresAt: Clock.nowSeconds() + 7 * 86_400)
        try await tellAccountChanged(
            target, "Your second factor was reset by the clinic's administrators. If you did not ask for this, tell the clinic's privacy officer.")
        return code
    }

    /// A notification the person cannot mute: their account was changed by someone else.
    private func tellAccountChanged(_ target: UserRecord, _ text: String) async throws {
        let now = Clock.nowSeconds()
        let note = NotificationRecord(userID: target.id, kind: .account, text: text, refID: nil, createdAt: now, dueAt: now)
        try await context.gate.database.write { try $0.addNotifications([note]) }
        try await Notifier(context: context).deliverDue()
    }

    private func lookUp(_ request: AdministrationNames) throws -> UserRecord {
        if let id = request.userID { return try lookUp(id: id, what: "user") }
        if let username = request.username {
            guard let user = try context.gate.database.user(named: username) else { throw ReplyError(code: .notFound, message: "no such user") }
            return user
        }
        throw ReplyError(code: .badRequest, message: "userID or username is required")
    }
}

extension WardDatabase {
    /// The account a person names by username, however they type it (case, NFKC forms): nil
    /// for a name no account can have, as for one no account has.
    func user(named text: String) throws -> UserRecord? {
        guard case let .success(name) = Username.normalised(text) else { return nil }
        return try user(username: name)
    }
}
