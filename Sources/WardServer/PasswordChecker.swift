import Dispatch
public import WardCrypto

/// Argon2id verification off the async thread pool, with a bound on how many run at once: each
/// takes 64 MiB at RFC 9106 settings, so a login flood waits in line instead of exhausting
/// memory. The line is bounded too: seen against a running server, 661 queued checks ran on
/// for 84 s after the attackers left (issue 16, item 6). Past `maxWaiting` the answer is
/// `Busy` at once.
public actor PasswordChecker {
    /// Every place in line is taken: try again shortly.
    public struct Busy: Error {}

    public let hasher: Argon2id
    private let limit: Int
    private let maxWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// A hash to verify against when the username is unknown, so the answer takes as long as
    /// for a wrong password.
    private let decoy: String

    public init(hasher: Argon2id, concurrent: Int, maxWaiting: Int = 32) throws {
        self.hasher = hasher
        self.limit = max(1, concurrent)
        self.maxWaiting = max(0, maxWaiting)
        self.decoy = try hasher.hash(password: SecureRandom.bytes(16))
    }

    /// True when `password` matches `hash`; with `hash` nil, does the same work and returns false.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        try await acquire()
        defer { release() }
        let hasher = self.hasher, target = hash ?? decoy
        let matches: Bool = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: (try? hasher.verify(password: Array(password.utf8), against: target)) ?? false)
            }
        }
        return hash != nil && matches
    }

    /// A new hash of `password`.
    public func hash(_ password: String) async throws -> String {
        try await acquire()
        defer { release() }
        let hasher = self.hasher
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try hasher.hash(password: Array(password.utf8)) })
            }
        }
    }

    private func acquire() async throws {
        if running < limit {
            running += 1
            return
        }
        guard waiting.count < maxWaiting else { throw Busy() }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
