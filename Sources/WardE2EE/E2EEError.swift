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

    public var description: String {
        switch self {
        case let .unsupportedSuite(suite): return "cipher suite \(suite) is not supported"
        case let .malformed(what): return "malformed \(what)"
        case let .badSignature(what): return "the signature of the \(what) does not verify"
        case .undecryptable: return "the message does not decrypt with its sender key"
        case .unknownSenderKey: return "no sender key for this message has reached this device"
        case .iterationOutOfRange: return "the message's ratchet position is out of range"
        case let .keyChanged(deviceID): return "the keys of device \(deviceID) changed since they were first seen"
        }
    }
}
