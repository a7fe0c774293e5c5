import Synchronization

/// A person's identity key as this device first saw it (trust on first use), and whether the
/// person compared its safety number and confirmed it.
public struct PinnedIdentity: Codable, Hashable, Sendable {
    /// The Ed25519 identity key, base64.
    public var key: String
    public var verified: Bool

    public init(key: String, verified: Bool) {
        (self.key, self.verified) = (key, verified)
    }
}

/// Where a client keeps the identity keys it pinned, between runs: `ward` keeps a 0600 file; a
/// client that forgets them would trust whatever the server shows next time (issue 17).
public protocol IdentityPins: Sendable {
    func pinned(_ userID: String) -> PinnedIdentity?
    func pin(_ userID: String, _ identity: PinnedIdentity)
}

/// Pins kept in memory only: for tests and for a process that lives as long as its trust.
public final class MemoryIdentityPins: IdentityPins {
    private let pins = Mutex<[String: PinnedIdentity]>([:])

    public init() {}

    public func pinned(_ userID: String) -> PinnedIdentity? { pins.withLock { $0[userID] } }
    public func pin(_ userID: String, _ identity: PinnedIdentity) { pins.withLock { $0[userID] = identity } }
}

/// Why a member device gets no sender key and its messages are not shown: told to the person.
public enum TrustIssue: Hashable, Sendable, CustomStringConvertible {
    /// No identity key vouches for the device (the server may have made it up).
    case unsigned(userID: String, deviceID: String)
    /// The device is vouched for by an identity key other than the one pinned for its owner:
    /// the owner reset their identity, or someone pretends to be them.
    case identityChanged(userID: String, deviceID: String)

    public var userID: String {
        switch self {
        case let .unsigned(userID, _), let .identityChanged(userID, _): return userID
        }
    }

    public var description: String {
        switch self {
        case let .unsigned(_, deviceID): return "device \(deviceID) is not signed by its owner's identity key"
        case let .identityChanged(_, deviceID): return "device \(deviceID) is signed by an identity key other than the one pinned"
        }
    }
}
