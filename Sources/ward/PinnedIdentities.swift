import Foundation
import Synchronization
import WardClient
import WardCommandLine

/// The identity keys this person's `ward` pinned on first contact, per account it signs in as,
/// in one 0600 file beside the other ward files (issue 17). Every command that reads or sends
/// uses it, scripts included, so a changed identity is noticed whichever command meets it first.
final class PinnedIdentityFile: IdentityPins {
    private struct Stored: Codable {
        /// Account (USER@HOST:PORT) → user id → pinned identity.
        var accounts: [String: [String: PinnedIdentity]] = [:]
    }

    static let fileName = "ward-identities.json"
    private let account: String
    private let stored: Mutex<Stored>

    init(account: String) {
        self.account = account
        stored = Mutex(UserFiles.read(Self.fileName).flatMap { try? JSONDecoder().decode(Stored.self, from: $0) } ?? Stored())
    }

    func pinned(_ userID: String) -> PinnedIdentity? { stored.withLock { $0.accounts[account]?[userID] } }

    func pin(_ userID: String, _ identity: PinnedIdentity) {
        let data = stored.withLock { stored -> Data? in
            stored.accounts[account, default: [:]][userID] = identity
            return try? JSONEncoder().encode(stored)
        }
        // A pin that cannot be kept is said: the next run would trust on first use again.
        guard let data else { return }
        do { try UserFiles.writePrivate(data, to: Self.fileName) } catch { warn("cannot save \(Self.fileName): \(error)") }
    }
}
