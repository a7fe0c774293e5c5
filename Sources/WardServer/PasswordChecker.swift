internal import Dispatch
public import WardCrypto

/// Argon2id verification off the async thread pool, with a bound on how many run at once: each
/// takes 64 MiB at RFC 9106 settings, so a login flood waits in line instead of exhausting
/// memory.
public actor PasswordChecker {
    public let hasher: Argon2id
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// A hash to verify against when the username is unknown, so the answer takes as long as
    /// for a wrong password.
    private let decoy: String

    public init(hasher: Argon2id, concurrent: Int) throws {
        self.hasher = hasher
        self.limit = max(1, concurrent)
        self.decoy = try hasher.hash(password: SecureRandom.bytes(16))
    }

    /// True when `password` matches `hash`; with `hash` nil, does the same work and returns false.
    public func verify(_ password: String, against hash: String?) async -> Bool {
        await acquire()
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
        await acquire()
        defer { release() }
        let hasher = self.hasher
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try hasher.hash(password: Array(password.utf8)) })
            }
        }
    }

    private func acquire() async {
        if running < limit {
            running += 1
            return
        }
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
