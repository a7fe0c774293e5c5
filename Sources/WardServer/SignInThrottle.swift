import Foundation
import WardProtocol
import Synchronization

/// Failed sign-ins slow down further attempts on the same account name and from the same
/// address, and the slowing ends by itself. NIST SP 800-63B §5.2.2 asks for rate limiting of
/// failed attempts; a lock that only an Admin lifts (what Ward had) lets anyone who knows a
/// username lock that person out, Admins included (issue 16, item 3).
///
/// The throttle is asked before the password is checked, and a blocked attempt gets the same
/// answer whether its password was right or wrong, so guessing cannot go on behind it. It
/// counts by the name as typed (normalised), whether or not an account has it, so its answers
/// tell nobody which usernames exist. Counts are in memory behind one lock: parallel attempts
/// see each other's failures at once; a restart forgets them, which only an operator can cause.
public final class SignInThrottle: Sendable {
    public struct Rules: Sendable {
        /// Failures allowed on one account name before each further one blocks it.
        public var freeFailuresPerAccount = 5
        /// The same for one source address, higher because a clinic's devices share one behind NAT.
        public var freeFailuresPerSource = 20
        /// The block after the first failure beyond the free ones, doubled after each further
        /// failure up to `longestBlock` (seconds).
        public var firstBlock: Int64 = 30
        public var longestBlock: Int64 = 15 * 60
        /// A name or address with no failure for this long starts again from zero (seconds).
        public var forgetAfter: Int64 = 24 * 3600
        /// Names and addresses tracked at most; past it the oldest are forgotten first, so a
        /// flood of made-up names costs bounded memory.
        public var maxTracked = 100_000

        public init() {}
    }

    /// What is being counted: an account name or a source address.
    public enum Key: Hashable, Sendable {
        case account(String)
        case source(String)
    }

    private struct Failures {
        var count: Int
        var blockedUntil: Int64
        var last: Int64
    }

    public let rules: Rules
    private let state = Mutex<[Key: Failures]>([:])

    public init(rules: Rules = Rules()) {
        self.rules = rules
    }

    /// The keys of one attempt: the name as the server would store it (`Username`; lower case
    /// when it is no name an account can have), and the source address when known.
    public static func keys(username: String, source: String?) -> [Key] {
        let name = (try? Username.normalised(username).get()) ?? username.lowercased()
        var keys: [Key] = [.account(name)]
        if let source { keys.append(.source(source)) }
        return keys
    }

    /// Seconds until an attempt with these keys may be made; 0 when none of them is blocked.
    public func wait(_ keys: [Key], now: Int64) -> Int64 {
        state.withLock { state in
            keys.compactMap { state[$0] }.map { max(0, $0.blockedUntil - now) }.max() ?? 0
        }
    }

    /// Counts one failure against every key and blocks those past their free failures; returns
    /// the failures now counted on the account name.
    @discardableResult
    public func failed(_ keys: [Key], now: Int64) -> Int {
        state.withLock { state in
            if state.count >= rules.maxTracked { Self.forgetOldest(&state, now: now, rules: rules) }
            var accountFailures = 0
            for key in keys {
                var record = state[key].flatMap { now - $0.last > rules.forgetAfter ? nil : $0 } ?? Failures(count: 0, blockedUntil: 0, last: now)
                record.count += 1
                record.last = now
                let free: Int
                switch key {
                case .account: free = rules.freeFailuresPerAccount; accountFailures = record.count
                case .source: free = rules.freeFailuresPerSource
                }
                if record.count > free {
                    // 30 s, 60 s, 120 s, … (the shift is bounded, so no overflow), at most the longest block.
                    let doublings = min(record.count - free - 1, 30)
                    record.blockedUntil = now + min(rules.firstBlock << doublings, rules.longestBlock)
                }
                state[key] = record
            }
            return accountFailures
        }
    }

    /// A successful sign-in clears the account name's failures. The address keeps its own, so
    /// that a person with one account cannot clear the way for guessing at others.
    public func succeeded(_ keys: [Key]) {
        state.withLock { state in
            for key in keys { if case .account = key { state[key] = nil } }
        }
    }

    /// Forgets what has expired, and then, if still full, the half with the oldest failures.
    private static func forgetOldest(_ state: inout [Key: Failures], now: Int64, rules: Rules) {
        state = state.filter { now - $0.value.last <= rules.forgetAfter }
        guard state.count >= rules.maxTracked else { return }
        let oldest = state.sorted { $0.value.last < $1.value.last }.prefix(state.count - rules.maxTracked / 2)
        for (key, _) in oldest { state[key] = nil }
    }
}
