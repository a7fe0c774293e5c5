import WardProtocol
import WardStore

/// An error that knows the reply it stands for. The dispatcher turns any of them into that
/// reply and its audit entry (`Connection.refuse`), so no handler maps a store's refusals itself.
protocol RepliesAs: Error {
    var reply: ReplyError { get }
}

extension ReplyError: RepliesAs {
    var reply: ReplyError { self }
}

extension ConversationRefusal: RepliesAs {
    var reply: ReplyError {
        switch self {
        case .noSuchRoom: return ReplyError(code: .notFound, message: "no such room")
        case .notAMember: return ReplyError(code: .notAMember, message: "not a member of this room")
        case .alreadyMember: return ReplyError(code: .conflict, message: "already a member of this room")
        case .staleKey:
            return ReplyError(
                code: .staleKey, message: "the sender key is not this device's current key for this room; make and distribute a new one")
        case let .wrongRecipients(missing, unexpected):
            return ReplyError(
                code: .wrongRecipients,
                message:
                    "seal the key only to the room's member devices, and to this one (\(missing) missing, \(unexpected) not members); see keys.get")
        case .keyExists: return ReplyError(code: .conflict, message: "that keyID is taken; make a new one")
        case .deviceTaken:
            return ReplyError(code: .conflict, message: "that device id is registered with other keys or to another account")
        case .removed:
            return ReplyError(
                code: .invitationRequired, message: "you were removed from this room: only a member's invitation brings you back")
        case .replayed:
            return ReplyError(
                code: .replayed, message: "an envelope of this sender key and iteration is stored already; seal the message again")
        }
    }
}

extension BookingRefusal: RepliesAs {
    var reply: ReplyError {
        switch self {
        case .slotTaken: return ReplyError(code: .slotTaken, message: "slot taken: pick another (appointment.slots lists the free ones)")
        case .noSuchAppointment: return ReplyError(code: .notFound, message: "no appointment has that id")
        case let .notAllowedIn(status): return ReplyError(code: .badRequest, message: "not possible for an appointment that is \(status)")
        }
    }
}

/// A refusal answered as it is, never audited by the dispatcher: its own path audited it (a
/// failed sign-in is audited by `login`, with the source's commitment), or it touches no data
/// (`hello` with another protocol version).
struct Refused: Error {
    var refusal: Reply.Refusal

    init(_ code: ErrorCode, _ message: String, policies: [String]? = nil, retryAfter: Int? = nil) {
        refusal = Reply.Refusal(code: code, message: message, policies: policies, retryAfter: retryAfter)
    }
}

/// A refusal before or without a policy decision: a malformed or out-of-range field, a room
/// the user is not in, an id that names nothing. `object` names what was refused only when
/// the server found it (a room that exists), never an id as the client spelled it, so that
/// the audit entry holds identifiers the server made or validated.
struct ReplyError: Error {
    var code: ErrorCode
    var message: String
    var object: (type: String, id: String)?
    /// Whose data the refused request reached for (a care room's patient), for their access report.
    var subjectID: String

    init(code: ErrorCode, message: String, object: (type: String, id: String)? = nil, subjectID: String = "") {
        self.code = code
        self.message = message
        self.object = object
        self.subjectID = subjectID
    }
}
