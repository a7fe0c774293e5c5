public import WardCrypto

/// A hash ratchet (as in Signal's sender keys and Matrix's Megolm): each step derives the
/// message key and the next chain key from the current chain key with HMAC-SHA-256, and the old
/// chain key is dropped, so whoever learns the current chain key cannot go back to earlier
/// messages.
public struct SenderChain: Sendable {
    /// The iteration whose message key `chainKey` gives next.
    public private(set) var iteration: Int
    public private(set) var chainKey: SecureBytes

    /// How far a receiver ratchets forward for one message; more is refused as a likely attack.
    public static let maxSkip = 100_000

    public init(iteration: Int = 0, chainKey: SecureBytes = SecureBytes(randomCount: 32)) {
        (self.iteration, self.chainKey) = (iteration, chainKey)
    }

    private static let messageStep: [UInt8] = [0x01]
    private static let chainStep: [UInt8] = [0x02]

    /// The current iteration's message key; the chain moves one step on.
    public mutating func nextMessageKey() -> (iteration: Int, key: SecureBytes) {
        let key = HMACSHA256.tag(key: chainKey, message: Self.messageStep)
        let used = iteration
        chainKey = HMACSHA256.tag(key: chainKey, message: Self.chainStep)
        iteration += 1
        return (used, key)
    }

    /// The message key of `target` (not before this chain's iteration, at most `maxSkip` ahead);
    /// the chain ends just after it.
    public mutating func messageKey(at target: Int) throws -> SecureBytes {
        guard target >= iteration, target - iteration <= Self.maxSkip else { throw E2EEError.iterationOutOfRange }
        while iteration < target {
            chainKey = HMACSHA256.tag(key: chainKey, message: Self.chainStep)
            iteration += 1
        }
        return nextMessageKey().key
    }
}
