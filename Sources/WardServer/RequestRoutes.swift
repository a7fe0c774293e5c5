import WardProtocol
import WardStore

/// How the server answers a request: the payload it carries, what it needs of the session, and
/// its handler, which returns the reply payload the request names (`RequestPayload.Answer`). The
/// request's policy action and audit event are `RequestType.action` and `.auditEvent`
/// (WardProtocol); the dispatcher (`Connection.dispatch`) checks the session this declares once,
/// so a handler starts from the person asking and decides with `Gate.require`, and sends what it
/// returns with the request's id and reply type.
struct RequestRoute: Sendable {
    typealias Open = @Sendable (Connection, IncomingRequest) async throws -> any ReplyPayload
    typealias SignedIn = @Sendable (Connection, IncomingRequest, UserRecord) async throws -> any ReplyPayload

    enum Access: Sendable {
        /// Answered without a session: the greeting and signing in.
        case open(Open)
        /// Any live session, also one still on a one-time password: what it takes to replace it
        /// (`password.change`, the second factor's set-up), `whoami` and `logout`.
        case session(SignedIn)
        /// A live session whose person has replaced their one-time password: everything else.
        case ownPassword(SignedIn)
    }

    /// The request's own fields (`IncomingRequest` decodes the frame as it), whose `Answer` the
    /// handler returns.
    let payloadType: any RequestPayload.Type
    let access: Access

    /// An open route whose handler takes the request's typed payload and answers with the reply
    /// the payload names (`RequestPayload.Answer`).
    static func open<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, Payload) async throws -> Payload.Answer
    ) -> RequestRoute {
        RequestRoute(
            payloadType: Payload.self, access: .open { connection, request in try await handler(connection, try request.payload(Payload.self)) })
    }

    /// A session route (see `Access.session`) whose handler takes the request's typed payload.
    static func session<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, Payload, UserRecord) async throws -> Payload.Answer
    ) -> RequestRoute {
        signedIn(Payload.self, handler, access: Access.session)
    }

    /// A route whose handler takes the request's typed payload (a missing field is refused by
    /// name before the handler runs) and answers with the reply it names.
    static func ownPassword<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, Payload, UserRecord) async throws -> Payload.Answer
    ) -> RequestRoute {
        signedIn(Payload.self, handler, access: Access.ownPassword)
    }

    /// A route of a signed-in `access` whose handler takes the request's typed payload.
    private static func signedIn<Payload: RequestPayload>(
        _: Payload.Type, _ handler: @escaping @Sendable (Connection, Payload, UserRecord) async throws -> Payload.Answer,
        access: (@escaping SignedIn) -> Access
    ) -> RequestRoute {
        RequestRoute(
            payloadType: Payload.self,
            access: access { connection, request, user in try await handler(connection, try request.payload(Payload.self), user) })
    }

    /// Every request's route, by type, grouped by domain. `RequestRouteTests`
    /// checks that every `RequestType` has one; a request without one is refused as unknown.
    static let table: [RequestType: RequestRoute] = [
        .hello: .open(Hello.self) { try $0.hello($1) },
        .ping: .open(Ping.self) { _, _ in Reply.Done() },
        .login: .open(Login.self) { try await $0.login($1) },
        .resume: .open(Resume.self) { try await $0.resume($1) },
        .logout: .session(Logout.self) { try await $0.logout($2) },
        .whoami: .session(Whoami.self) { try await $0.whoami($2) },
        .passwordChange: .session(PasswordChange.self) { try await $0.changePassword($1, $2) },
        .totpEnroll: .session(TOTPEnroll.self) { try await $0.enrollSecondFactor($1, $2) },
        .totpConfirm: .session(TOTPConfirm.self) { try await $0.confirmSecondFactor($1, $2) },

        .userCreate: .ownPassword(UserCreate.self) { try await AccountService($0).createUser($1, $2) },
        .userList: .ownPassword(UserList.self) { try await AccountService($0).listUsers($2) },
        .userShow: .ownPassword(NamedAccount<UserShow>.self) { try await AccountService($0).showUser($1, $2) },
        .userDisable: .ownPassword(NamedAccount<UserDisable>.self) { try await AccountService($0).changeAccount($1, $2) },
        .userEnable: .ownPassword(NamedAccount<UserEnable>.self) { try await AccountService($0).changeAccount($1, $2) },
        .userResetPassword: .ownPassword(NamedAccount<UserResetPassword>.self) { try await AccountService($0).changeAccount($1, $2) },
        .userResetSecondFactor: .ownPassword(NamedAccount<UserResetSecondFactor>.self) { try await AccountService($0).changeAccount($1, $2) },
        .careTeamAdd: .ownPassword(CareTeamChange<CareTeamAdd>.self) { try await AccountService($0).changeCareTeam($1, $2) },
        .careTeamRemove: .ownPassword(CareTeamChange<CareTeamRemove>.self) { try await AccountService($0).changeCareTeam($1, $2) },
        .careTeamList: .ownPassword(NamedPatient<CareTeamList>.self) { try await AccountService($0).listCareTeam($1, $2) },
        .approvalList: .ownPassword(ApprovalList.self) { c, _, u in Reply.Approvals(approvals: try await AccountService(c).listApprovals(u)) },
        .approvalDecide: .ownPassword(ApprovalDecide.self) { try await AccountService($0).decideApproval($1, $2) },

        .deviceRegister: .ownPassword(DeviceRegister.self) { try await $0.registerDevice($1, $2) },
        .identityBackup: .ownPassword(IdentityBackupRequest.self) { try await ConversationService($0).identityBackup($1, $2) },
        .keysBackup: .ownPassword(KeysBackup.self) { try await ConversationService($0).keysBackup($1, $2) },
        .keysGet: .ownPassword(NamedRoom<KeysGet>.self) { try await ConversationService($0).getKeys($1, $2) },
        .keysDistribute: .ownPassword(KeysDistribute.self) { try await ConversationService($0).distributeKey($1, $2) },
        .keysFetch: .ownPassword(NamedRoom<KeysFetch>.self) { try await ConversationService($0).fetchKeys($1, $2) },
        .roomCreate: .ownPassword(RoomCreate.self) { try await ConversationService($0).createRoom($1, $2) },
        .roomInvite: .ownPassword(RoomMemberChange<RoomInvite>.self) { c, p, u in
            try await ConversationService(c).addMember(.roomInvite, roomID: p.roomID, inviting: p.userID, u)
        },
        .roomJoin: .ownPassword(NamedRoom<RoomJoin>.self) { c, p, u in
            try await ConversationService(c).addMember(.roomJoin, roomID: p.roomID, inviting: nil, u)
        },
        .roomLeave: .ownPassword(NamedRoom<RoomLeave>.self) { c, p, u in
            try await ConversationService(c).removeMember(.roomLeave, roomID: p.roomID, removing: nil, u)
        },
        .roomRemove: .ownPassword(RoomMemberChange<RoomRemove>.self) { c, p, u in
            try await ConversationService(c).removeMember(.roomRemove, roomID: p.roomID, removing: p.userID, u)
        },
        .roomList: .ownPassword(RoomList.self) { try await ConversationService($0).listRooms($2) },
        .roomMembers: .ownPassword(NamedRoom<RoomMembers>.self) { try await ConversationService($0).listMembers($1, $2) },
        .userFind: .ownPassword(UserFind.self) { try await ConversationService($0).findUser($1, $2) },
        .messageSend: .ownPassword(MessageSend.self) { try await ConversationService($0).sendMessage($1, $2) },
        .messageHistory: .ownPassword(MessageHistory.self) { try await ConversationService($0).history($1, $2) },
        .receipt: .ownPassword(Receipt.self) { try await ConversationService($0).markReceipt($1, $2) },
        .presenceSet: .ownPassword(PresenceSet.self) { try await ConversationService($0).setPresence($1, $2) },

        .consentGrant: .ownPassword(ConsentGrant.self) { c, p, u in
            try await PrivacyService(c).manageConsent(.consentGrant, purpose: p.purpose, agreed: p.consentVersion, u)
        },
        .consentWithdraw: .ownPassword(ConsentWithdraw.self) { c, p, u in
            try await PrivacyService(c).manageConsent(.consentWithdraw, purpose: p.purpose, agreed: nil, u)
        },
        .consentList: .ownPassword(ConsentList.self) { c, _, u in
            try await PrivacyService(c).manageConsent(.consentList, purpose: nil, agreed: nil, u)
        },
        .gdprExport: .ownPassword(GDPRExport.self) { try await PrivacyService($0).exportSubject($1, $2) },
        .gdprEraseRequest: .ownPassword(GDPREraseRequest.self) { try await PrivacyService($0).fileErasureRequest($1, $2) },
        .gdprRequests: .ownPassword(Listing<GDPRRequests>.self) { try await PrivacyService($0).listErasureRequests($1, $2) },
        .gdprErase: .ownPassword(GDPRErase.self) { try await PrivacyService($0).erase($1, officer: $2) },
        .gdprHoldPlace: .ownPassword(GDPRHoldPlace.self) { c, p, u in
            try await PrivacyService(c).manageHolds(.gdprHoldPlace, placing: p, releasing: nil, includeReleased: false, u)
        },
        .gdprHoldRelease: .ownPassword(GDPRHoldRelease.self) { c, p, u in
            try await PrivacyService(c).manageHolds(
                .gdprHoldRelease, placing: nil, releasing: p.holdID, includeReleased: p.kind == "all", u)
        },
        .gdprHolds: .ownPassword(Listing<GDPRHolds>.self) { c, p, u in
            try await PrivacyService(c).manageHolds(.gdprHolds, placing: nil, releasing: nil, includeReleased: p.kind == "all", u)
        },
        .gdprPurge: .ownPassword(GDPRPurge.self) { try await PrivacyService($0).purgeNow($2) },

        .availabilityAdd: .ownPassword(AvailabilityAdd.self) { c, p, u in
            Reply.Availability(availability: try await SchedulingService(c).addAvailability(p, u))
        },
        .availabilityRemove: .ownPassword(AvailabilityRemove.self) { c, p, u in
            Reply.Availability(availability: try await SchedulingService(c).removeAvailability(p, u))
        },
        .availabilityList: .ownPassword(AvailabilityList.self) { c, p, u in
            Reply.Availability(availability: try await SchedulingService(c).listAvailability(p, u))
        },
        .availabilityClinicians: .ownPassword(AvailabilityClinicians.self) { c, _, u in
            Reply.Users(users: try await SchedulingService(c).bookableClinicians(u))
        },
        .appointmentSlots: .ownPassword(AppointmentSlots.self) { c, p, u in Reply.Slots(slots: try await SchedulingService(c).freeSlots(p, u))
        },
        .appointmentBook: .ownPassword(AppointmentBook.self) { c, p, u in Reply.Appointment(appointment: try await SchedulingService(c).book(p, u))
        },
        .appointmentReschedule: .ownPassword(AppointmentReschedule.self) { c, p, u in
            Reply.Appointment(appointment: try await SchedulingService(c).reschedule(p, u))
        },
        .appointmentCancel: .ownPassword(NamedAppointment<AppointmentCancel>.self) { c, p, u in
            Reply.Appointment(
                appointment: try await SchedulingService(c).changeStatus(.appointmentCancel, appointmentID: p.appointmentID, status: nil, u))
        },
        .appointmentUpdate: .ownPassword(AppointmentUpdate.self) { c, p, u in
            Reply.Appointment(
                appointment: try await SchedulingService(c).changeStatus(.appointmentUpdate, appointmentID: p.appointmentID, status: p.status, u)
            )
        },
        .appointmentList: .ownPassword(AppointmentList.self) { c, p, u in
            Reply.Appointments(appointments: try await SchedulingService(c).listAppointments(p, u))
        },
        .appointmentShow: .ownPassword(NamedAppointment<AppointmentShow>.self) { c, p, u in
            Reply.Appointment(appointment: try await SchedulingService(c).showAppointment(p, u))
        },
        .notificationList: .ownPassword(Listing<NotificationList>.self) { c, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationList, kind: p.kind, notificationID: nil, enabled: nil, u)
        },
        .notificationRead: .ownPassword(NotificationRead.self) { c, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationRead, kind: nil, notificationID: p.notificationID, enabled: nil, u)
        },
        .notificationSettings: .ownPassword(NotificationSettings.self) { c, p, u in
            try await NotificationService(c).handleNotifications(
                .notificationSettings, kind: p.kind, notificationID: nil, enabled: p.enabled, u)
        },
        .notificationAnnounce: .ownPassword(NotificationAnnounce.self) { c, p, u in
            Reply.Announced(unreadNotifications: try await NotificationService(c).announce(p, u))
        },

        .recordRead: .ownPassword(RecordRead.self) { try await RecordService($0).readRecordPage($1, $2) },
        .recordWrite: .ownPassword(RecordWrite.self) { c, p, u in Reply.RecordEntries(recordEntries: try await RecordService(c).writeRecord(p, u)) },
        .recordAmend: .ownPassword(RecordAmend.self) { c, p, u in Reply.Amendments(amendments: [try await RecordService(c).requestAmendment(p, u)])
        },
        .recordAmendments: .ownPassword(NamedPatient<RecordAmendments>.self) { c, p, u in
            Reply.Amendments(amendments: try await RecordService(c).amendments(p, u))
        },
        .recordAmendDecide: .ownPassword(RecordAmendDecide.self) { c, p, u in
            Reply.Amendments(amendments: [try await RecordService(c).decideAmendment(p, u)])
        },
        .recordAmendDisagree: .ownPassword(RecordAmendDisagree.self) { c, p, u in
            Reply.Amendments(amendments: [try await RecordService(c).disagree(p, u)])
        },
        .breakGlassOpen: .ownPassword(BreakGlassOpen.self) { c, p, u in
            Reply.BreakGlassUses(breakGlassUses: [try await RecordService(c).openBreakGlass(p, u)])
        },
        .breakGlassList: .ownPassword(Listing<BreakGlassList>.self) { c, p, u in
            Reply.BreakGlassUses(breakGlassUses: try await RecordService(c).reviewBreakGlass(.breakGlassList, verdict: nil, all: p.kind == "all", u))
        },
        .breakGlassReview: .ownPassword(BreakGlassReview.self) { c, p, u in
            Reply.BreakGlassUses(
                breakGlassUses: try await RecordService(c).reviewBreakGlass(
                    .breakGlassReview, verdict: (p.breakGlassID, p.verdict), all: p.kind == "all", u))
        },

        .auditProof: .ownPassword(AuditProof.self) { try await OversightService($0).auditProof($1, $2) },
        .securitySignIns: .ownPassword(SecuritySignIns.self) { try await OversightService($0).signInReport($1, $2) },
        .backupStatus: .ownPassword(BackupStatusRequest.self) { try await OversightService($0).backupStatus($2) }
    ]
}
