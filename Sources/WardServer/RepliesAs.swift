import WardProtocol
import WardStore

/// An error that knows the reply it stands for. The dispatcher turns any of them into that
/// reply and its audit entry (`Connection.refuse`), so no handler maps a store's refusals itself.
protocol RepliesAs: Error {
    var reply: Connection.ReplyError { get }
}

extension Connection.ReplyError: RepliesAs {
    var reply: Connection.ReplyError { self }
}

extension ConversationRefusal: RepliesAs {
    var reply: Connection.ReplyError {
        switch self {
        case .noSuchRoom: return Connection.ReplyError(code: .notFound, message: "no such room")
        case .notAMember: return Connection.ReplyError(code: .notAMember, message: "not a member of this room")
        case .alreadyMember: return Connection.ReplyError(code: .conflict, message: "already a member of this room")
        case .staleKey:
            return Connection.ReplyError(
                code: .staleKey, message: "the sender key is not this device's current key for this room; make and distribute a new one")
        case let .wrongRecipients(missing, unexpected):
            return Connection.ReplyError(
                code: .wrongRecipients,
                message:
                    "seal the key only to the room's member devices, and to this one (\(missing) missing, \(unexpected) not members); see keys.get")
        case .keyExists: return Connection.ReplyError(code: .conflict, message: "that keyID is taken; make a new one")
        case .deviceTaken:
            return Connection.ReplyError(code: .conflict, message: "that device id is registered with other keys or to another account")
        case .removed:
            return Connection.ReplyError(
                code: .invitationRequired, message: "you were removed from this room: only a member's invitation brings you back")
        case .replayed:
            return Connection.ReplyError(
                code: .replayed, message: "an envelope of this sender key and iteration is stored already; seal the message again")
        }
    }
}

extension BookingRefusal: RepliesAs {
    var reply: Connection.ReplyError {
        switch self {
        case .slotTaken: return Connection.ReplyError(code: .slotTaken, message: "slot taken: pick another (appointment.slots lists the free ones)")
        case .noSuchAppointment: return Connection.ReplyError(code: .notFound, message: "no appointment has that id")
        case let .notAllowedIn(status): return Connection.ReplyError(code: .badRequest, message: "not possible for an appointment that is \(status)")
        }
    }
}
