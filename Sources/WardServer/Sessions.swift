import Foundation
import WardCrypto
public import WardStore

/// Session tokens and their limits (HIPAA 164.312(a)(2)(iii), automatic logoff).
public struct SessionLimits: Sendable {
    /// A session unused this long is ended.
    public var idleSeconds: Int64
    /// A session this old is ended however active it is.
    public var lifetimeSeconds: Int64

    public init(idleSeconds: Int64 = 15 * 60, lifetimeSeconds: Int64 = 12 * 3600) {
        (self.idleSeconds, self.lifetimeSeconds) = (idleSeconds, lifetimeSeconds)
    }

    /// How stale a session's stored last-use time may get before a request writes it again: a
    /// write per request would cost a disk sync each. At most a thirtieth of the idle limit (30 s
    /// for 15 minutes), so a session can end that much early, never late.
    public var touchInterval: Int64 { min(30, idleSeconds / 30) }

    /// When `session`, last used at `lastUse`, ends unless used again.
    public func end(of session: SessionRecord, lastUse: Int64) -> Int64 {
        min(lastUse + idleSeconds, session.createdAt + lifetimeSeconds)
    }

    /// True when `session` may still be used at `now`.
    public func allows(_ session: SessionRecord, at now: Int64) -> Bool {
        now - session.lastSeenAt < idleSeconds && now - session.createdAt < lifetimeSeconds
    }
}

/// 256-bit random session tokens; only their SHA-256 is stored.
enum SessionToken {
    static func make() -> String {
        Base64.encode(SecureRandom.bytes(32), padding: false)
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256Hash.digest(Array(token.utf8)))
    }
}
