import WardProtocol
import WardStore

/// How the server answers a request: the payload it carries, what it needs of the session, and
/// its handler. The request's policy action and audit event are `RequestType.action` and
/// `.auditEvent` (WardProtocol); the dispatcher (`Connection.dispatch`) checks the session this
/// declares once, so a handler starts from the person asking and decides with `Gate.require`.
struct RequestRoute: Sendable {
    typealias Open = @Sendable (Connection, IncomingRequest) async throws -> ServerReply
    typealias SignedIn = @Sendable (Connection, IncomingRequest, UserRecord) async throws -> ServerReply

    enum Access: Sendable {
        /// Answered without a session: the greeting and signing in.
        case open(Open)
        /// Any live session, also one still on a one-time password: what it takes to replace it
        /// (`password.change`, the second factor's set-up), `whoami` and `logout`.
        case session(SignedIn)
        /// A live session whose person has replaced their one-time password: everything else.
        case ownPassword(SignedIn)
    }

    /// The request's own fields (`IncomingRequest` decodes the frame as it); nil for a request
    /// that has none.
    let payloadType: (any RequestPayload.Type)?
    let access: Access

    static func open(_ handler: @escaping Open) -> RequestRoute { RequestRoute(payloadType: nil, access: .open(handler)) }
    static func session(_ handler: @escaping SignedIn) -> RequestRoute { RequestRoute(payloadType: nil, access: .session(handler)) }
    static func ownPassword(_ handler: @escaping SignedIn) -> RequestRoute { RequestRoute(payloadType: nil, access: .ownPassword(handler)) }

    /// An open route whose handler takes the request's typed payload, beside the envelope's id.
    static func open<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, Int, Payload) async throws -> ServerReply
    ) -> RequestRoute {
        RequestRoute(
            payloadType: Payload.self,
            access: .open { connection, request in try await handler(connection, request.id, try request.payload(Payload.self)) })
    }

    /// A session route (see `Access.session`) whose handler takes the request's typed payload.
    static func session<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, IncomingRequest, Payload, UserRecord) async throws -> ServerReply
    ) -> RequestRoute {
        RequestRoute(
            payloadType: Payload.self,
            access: .session { connection, request, user in try await handler(connection, request, try request.payload(Payload.self), user) })
    }

    /// A route whose handler takes the request's typed payload (a missing field is refused by
    /// name before the handler runs), beside the envelope.
    static func ownPassword<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, IncomingRequest, Payload, UserRecord) async throws -> ServerReply
    ) -> RequestRoute {
        RequestRoute(
            payloadType: Payload.self,
            access: .ownPassword { connection, request, user in try await handler(connection, request, try request.payload(Payload.self), user) })
    }

    /// Every request's route, by type, grouped by domain. `RequestRouteTests`
    /// checks that every `RequestType` has one; a request without one is refused as unknown.
    static let table: [RequestType: RequestRoute] = [
        .hello: .open(Hello.self) { $0.hello($2, replyingTo: $1) },
        .ping: .open { _, request in ServerReply(id: request.id, type: .pong) },
        .login: .open(Login.self) { try await $0.login($2, replyingTo: $1) },
        .resume: .open(Resume.self) { try await $0.resume($2, replyingTo: $1) },
        .logout: .session { try await $0.logout(replyingTo: $1.id, $2) },
        .whoami: .session { try await $0.whoami(replyingTo: $1.id, $2) },
        .passwordChange: .session(PasswordChange.self) { try await $0.changePassword($2, replyingTo: $1.id, $3) },
        .totpEnroll: .session(TOTPEnroll.self) { try await $0.enrollSecondFactor($2, replyingTo: $1.id, $3) },
        .totpConfirm: .session(TOTPConfirm.self) { try await $0.confirmSecondFactor($2, replyingTo: $1.id, $3) },

        .userCreate: .ownPassword(UserCreate.self) { c, r, p, u in
            try await AccountService(c).administer(.userCreate, .init(creating: p), replyingTo: r.id, u)
        },
        .userList: .ownPassword { try await AccountService($0).administer(.userList, .init(creating: nil), replyingTo: $1.id, $2) },
        .userShow: .ownPassword(NamedAccount<UserShow>.self) { try await AccountService($0).administer(.userShow, .init($2), replyingTo: $1.id, $3) },
        .userDisable: .ownPassword(NamedAccount<UserDisable>.self) {
            try await AccountService($0).administer(.userDisable, .init($2), replyingTo: $1.id, $3)
        },
        .userEnable: .ownPassword(NamedAccount<UserEnable>.self) {
            try await AccountService($0).administer(.userEnable, .init($2), replyingTo: $1.id, $3)
        },
        .userResetPassword: .ownPassword(NamedAccount<UserResetPassword>.self) {
            try await AccountService($0).administer(.userResetPassword, .init($2), replyingTo: $1.id, $3)
        },
        .userResetSecondFactor: .ownPassword(NamedAccount<UserResetSecondFactor>.self) {
            try await AccountService($0).administer(.userResetSecondFactor, .init($2), replyingTo: $1.id, $3)
        },
        .careTeamAdd: .ownPassword(CareTeamChange<CareTeamAdd>.self) {
            try await AccountService($0).administer(.careTeamAdd, .init($2), replyingTo: $1.id, $3)
        },
        .careTeamRemove: .ownPassword(CareTeamChange<CareTeamRemove>.self) {
            try await AccountService($0).administer(.careTeamRemove, .init($2), replyingTo: $1.id, $3)
        },
        .careTeamList: .ownPassword(NamedPatient<CareTeamList>.self) {
            try await AccountService($0).administer(.careTeamList, .init($2), replyingTo: $1.id, $3)
        },
        .approvalList: .ownPassword { c, r, u in .answering(r, \.approvals, try await AccountService(c).listApprovals(u)) },
        .approvalDecide: .ownPassword(ApprovalDecide.self) { try await AccountService($0).decideApproval($2, replyingTo: $1.id, $3) },

        .deviceRegister: .ownPassword(DeviceRegister.self) { try await $0.registerDevice($2, replyingTo: $1.id, $3) },
        .identityBackup: .ownPassword(IdentityBackupRequest.self) { try await ConversationService($0).identityBackup($2, replyingTo: $1.id, $3) },
        .keysBackup: .ownPassword(KeysBackup.self) { try await ConversationService($0).keysBackup($2, replyingTo: $1.id, $3) },
        .keysGet: .ownPassword(NamedRoom<KeysGet>.self) { try await ConversationService($0).getKeys($2, replyingTo: $1.id, $3) },
        .keysDistribute: .ownPassword(KeysDistribute.self) { try await ConversationService($0).distributeKey($2, replyingTo: $1.id, $3) },
        .keysFetch: .ownPassword(NamedRoom<KeysFetch>.self) { try await ConversationService($0).fetchKeys($2, replyingTo: $1.id, $3) },
        .roomCreate: .ownPassword(RoomCreate.self) { try await ConversationService($0).createRoom($2, replyingTo: $1.id, $3) },
        .roomInvite: .ownPassword(RoomMemberChange<RoomInvite>.self) { c, r, p, u in
            try await ConversationService(c).addMember(.roomInvite, roomID: p.roomID, inviting: p.userID, replyingTo: r.id, u)
        },
        .roomJoin: .ownPassword(NamedRoom<RoomJoin>.self) { c, r, p, u in
            try await ConversationService(c).addMember(.roomJoin, roomID: p.roomID, inviting: nil, replyingTo: r.id, u)
        },
        .roomLeave: .ownPassword(NamedRoom<RoomLeave>.self) { c, r, p, u in
            try await ConversationService(c).removeMember(.roomLeave, roomID: p.roomID, removing: nil, replyingTo: r.id, u)
        },
        .roomRemove: .ownPassword(RoomMemberChange<RoomRemove>.self) { c, r, p, u in
            try await ConversationService(c).removeMember(.roomRemove, roomID: p.roomID, removing: p.userID, replyingTo: r.id, u)
        },
        .roomList: .ownPassword { try await ConversationService($0).listRooms(replyingTo: $1.id, $2) },
        .roomMembers: .ownPassword(NamedRoom<RoomMembers>.self) { try await ConversationService($0).listMembers($2, replyingTo: $1.id, $3) },
        .userFind: .ownPassword(UserFind.self) { try await ConversationService($0).findUser($2, replyingTo: $1.id, $3) },
        .messageSend: .ownPassword(MessageSend.self) { try await ConversationService($0).sendMessage($2, replyingTo: $1.id, $3) },
        .messageHistory: .ownPassword(MessageHistory.self) { try await ConversationService($0).history($2, replyingTo: $1.id, $3) },
        .receipt: .ownPassword(Receipt.self) { try await ConversationService($0).markReceipt($2, replyingTo: $1.id, $3) },
        .presenceSet: .ownPassword(PresenceSet.self) { try await ConversationService($0).setPresence($2, replyingTo: $1.id, $3) },

        .consentGrant: .ownPassword(ConsentGrant.self) { c, r, p, u in
            try await PrivacyService(c).manageConsent(.consentGrant, purpose: p.purpose, agreed: p.consentVersion, replyingTo: r.id, u)
        },
        .consentWithdraw: .ownPassword(ConsentWithdraw.self) { c, r, p, u in
            try await PrivacyService(c).manageConsent(.consentWithdraw, purpose: p.purpose, agreed: nil, replyingTo: r.id, u)
        },
        .consentList: .ownPassword { c, r, u in
            try await PrivacyService(c).manageConsent(.consentList, purpose: nil, agreed: nil, replyingTo: r.id, u)
        },
        .gdprExport: .ownPassword(GDPRExport.self) { try await PrivacyService($0).exportSubject($2, replyingTo: $1.id, $3) },
        .gdprEraseRequest: .ownPassword(GDPREraseRequest.self) { try await PrivacyService($0).fileErasureRequest($2, replyingTo: $1.id, $3) },
        .gdprRequests: .ownPassword(Listing<GDPRRequests>.self) { try await PrivacyService($0).listErasureRequests($2, replyingTo: $1.id, $3) },
        .gdprErase: .ownPassword(GDPRErase.self) { try await PrivacyService($0).erase($2, replyingTo: $1.id, officer: $3) },
        .gdprHoldPlace: .ownPassword(GDPRHoldPlace.self) { c, r, p, u in
            try await PrivacyService(c).manageHolds(.gdprHoldPlace, placing: p, releasing: nil, includeReleased: false, replyingTo: r.id, u)
        },
        .gdprHoldRelease: .ownPassword(GDPRHoldRelease.self) { c, r, p, u in
            try await PrivacyService(c).manageHolds(
                .gdprHoldRelease, placing: nil, releasing: p.holdID, includeReleased: p.kind == "all", replyingTo: r.id, u)
        },
        .gdprHolds: .ownPassword(Listing<GDPRHolds>.self) { c, r, p, u in
            try await PrivacyService(c).manageHolds(.gdprHolds, placing: nil, releasing: nil, includeReleased: p.kind == "all", replyingTo: r.id, u)
        },
        .gdprPurge: .ownPassword { try await PrivacyService($0).purgeNow(replyingTo: $1.id, $2) },

        .availabilityAdd: .ownPassword(AvailabilityAdd.self) { c, r, p, u in
            .answering(r, \.availability, try await SchedulingService(c).addAvailability(p, u))
        },
        .availabilityRemove: .ownPassword(AvailabilityRemove.self) { c, r, p, u in
            .answering(r, \.availability, try await SchedulingService(c).removeAvailability(p, u))
        },
        .availabilityList: .ownPassword(AvailabilityList.self) { c, r, p, u in
            .answering(r, \.availability, try await SchedulingService(c).listAvailability(p, u))
        },
        .availabilityClinicians: .ownPassword { c, r, u in .answering(r, \.users, try await SchedulingService(c).bookableClinicians(u)) },
        .appointmentSlots: .ownPassword(AppointmentSlots.self) { c, r, p, u in .answering(r, \.slots, try await SchedulingService(c).freeSlots(p, u))
        },
        .appointmentBook: .ownPassword(AppointmentBook.self) { c, r, p, u in .answering(r, \.appointment, try await SchedulingService(c).book(p, u))
        },
        .appointmentReschedule: .ownPassword(AppointmentReschedule.self) { c, r, p, u in
            .answering(r, \.appointment, try await SchedulingService(c).reschedule(p, u))
        },
        .appointmentCancel: .ownPassword(NamedAppointment<AppointmentCancel>.self) { c, r, p, u in
            .answering(
                r, \.appointment, try await SchedulingService(c).changeStatus(.appointmentCancel, appointmentID: p.appointmentID, status: nil, u))
        },
        .appointmentUpdate: .ownPassword(AppointmentUpdate.self) { c, r, p, u in
            .answering(
                r, \.appointment, try await SchedulingService(c).changeStatus(.appointmentUpdate, appointmentID: p.appointmentID, status: p.status, u)
            )
        },
        .appointmentList: .ownPassword(AppointmentList.self) { c, r, p, u in
            .answering(r, \.appointments, try await SchedulingService(c).listAppointments(p, u))
        },
        .appointmentShow: .ownPassword(NamedAppointment<AppointmentShow>.self) { c, r, p, u in
            .answering(r, \.appointment, try await SchedulingService(c).showAppointment(p, u))
        },
        .notificationList: .ownPassword(Listing<NotificationList>.self) { c, r, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationList, replyingTo: r.id, kind: p.kind, notificationID: nil, enabled: nil, u)
        },
        .notificationRead: .ownPassword(NotificationRead.self) { c, r, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationRead, replyingTo: r.id, kind: nil, notificationID: p.notificationID, enabled: nil, u)
        },
        .notificationSettings: .ownPassword(NotificationSettings.self) { c, r, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationSettings, replyingTo: r.id, kind: p.kind, notificationID: nil, enabled: p.enabled, u)
        },
        .notificationAnnounce: .ownPassword(NotificationAnnounce.self) { c, r, p, u in
            .answering(r, \.unreadNotifications, try await NotificationService(c).announce(p, u))
        },

        .recordRead: .ownPassword(RecordRead.self) { try await RecordService($0).readRecordPage($2, replyingTo: $1.id, $3) },
        .recordWrite: .ownPassword(RecordWrite.self) { c, r, p, u in .answering(r, \.recordEntries, try await RecordService(c).writeRecord(p, u)) },
        .recordAmend: .ownPassword(RecordAmend.self) { c, r, p, u in .answering(r, \.amendments, [try await RecordService(c).requestAmendment(p, u)])
        },
        .recordAmendments: .ownPassword(NamedPatient<RecordAmendments>.self) { c, r, p, u in
            .answering(r, \.amendments, try await RecordService(c).amendments(p, u))
        },
        .recordAmendDecide: .ownPassword(RecordAmendDecide.self) { c, r, p, u in
            .answering(r, \.amendments, [try await RecordService(c).decideAmendment(p, u)])
        },
        .recordAmendDisagree: .ownPassword(RecordAmendDisagree.self) { c, r, p, u in
            .answering(r, \.amendments, [try await RecordService(c).disagree(p, u)])
        },
        .breakGlassOpen: .ownPassword(BreakGlassOpen.self) { c, r, p, u in
            .answering(r, \.breakGlassUses, [try await RecordService(c).openBreakGlass(p, u)])
        },
        .breakGlassList: .ownPassword(Listing<BreakGlassList>.self) { c, r, p, u in
            .answering(r, \.breakGlassUses, try await RecordService(c).reviewBreakGlass(.breakGlassList, verdict: nil, all: p.kind == "all", u))
        },
        .breakGlassReview: .ownPassword(BreakGlassReview.self) { c, r, p, u in
            .answering(
                r, \.breakGlassUses,
                try await RecordService(c).reviewBreakGlass(.breakGlassReview, verdict: (p.breakGlassID, p.verdict), all: p.kind == "all", u))
        },

        .auditProof: .ownPassword(AuditProof.self) { try await OversightService($0).auditProof($2, replyingTo: $1.id, $3) },
        .securitySignIns: .ownPassword(SecuritySignIns.self) { try await OversightService($0).signInReport($2, replyingTo: $1.id, $3) },
        .backupStatus: .ownPassword { try await OversightService($0).backupStatus(replyingTo: $1.id, $2) }
    ]
}

extension ServerReply {
    /// The reply to `request`, of the request's type, carrying `value` in `field`.
    static func answering<Value>(_ request: IncomingRequest, _ field: WritableKeyPath<Fields, Value?>, _ value: Value) -> ServerReply {
        var reply = ServerReply(id: request.id, type: request.replyType)
        reply[dynamicMember: field] = value
        return reply
    }
}
