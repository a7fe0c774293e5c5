/// Why an envelope, a key share or a device's keys were refused. The messages name what is
/// wrong, never content.
public enum E2EEError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedSuite(String)
    case malformed(String)
    case badSignature(String)
    case undecryptable
    case unknownSenderKey
    /// The iteration is behind what this device already used, or too far ahead.
    case iterationOutOfRange
    case keyChanged(deviceID: String)
    /// The device that signed the message belongs to someone other than the sender the server named.
    case senderMismatch(deviceID: String)
    /// Another message at the same sender key position was read already: a replay.
    case replayed(keyID: String, iteration: Int)
    /// The device is not vouched for by its owner's pinned identity key.
    case untrustedDevice(deviceID: String)
    /// A member's identity key changed and the clinic holds messages until the person confirms it.
    case identityChanged(userIDs: [String])

    public var description: String {
        switch self {
        case let .unsupportedSuite(suite): return "cipher suite \(suite) is not supported"
        case let .malformed(what): return "malformed \(what)"
        case let .badSignature(what): return "the signature of the \(what) does not verify"
        case .undecryptable: return "the message does not decrypt with its sender key"
        case .unknownSenderKey: return "no sender key for this message has reached this device"
        case .iterationOutOfRange: return "the message's ratchet position is out of range"
        case let .keyChanged(deviceID): return "the keys of device \(deviceID) changed since they were first seen"
        case let .senderMismatch(deviceID): return "the message was signed by device \(deviceID), which is not the named sender's"
        case let .replayed(keyID, iteration): return "another message already used position \(iteration) of sender key \(keyID): a replay"
        case let .untrustedDevice(deviceID): return "device \(deviceID) is not vouched for by its owner's identity key as this device pinned it"
        case let .identityChanged(userIDs):
            return "the identity key of \(userIDs.joined(separator: ", ")) changed; compare safety numbers and confirm it before sending"
        }
    }
}
