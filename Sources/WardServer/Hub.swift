import Synchronization

/// The signed-in connections: which user and device each serves, and their outboxes. Events
/// (messages, key shares, joins, receipts, presence) are posted here and reach exactly the
/// connections of the users or the device they are for. Posting never waits (see `Outbox`).
final class Hub: Sendable {
    private struct Client {
        let userID: String
        /// The SHA-256 of the session's token: several connections may resume one session.
        let session: String
        var deviceID: String?
        var away = false
        let outbox: Outbox
        /// When the session ends if it is not used again (idle or lifetime limit, seconds since
        /// 1970): a connection left open past it gets no more events (automatic logoff).
        var sessionEndsAt: Int64
    }

    private struct State {
        var clients: [Int: Client] = [:]
        var connectionsByUser: [String: Set<Int>] = [:]
        var nextID = 1
    }

    private let state = Mutex(State())

    /// A number for a new connection.
    func makeConnectionID() -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Registers a signed-in connection; true when it is the user's first (they came online).
    @discardableResult
    func attach(_ connectionID: Int, userID: String, session: String, outbox: Outbox, sessionEndsAt: Int64) -> Bool {
        state.withLock { state in
            if let previous = state.clients[connectionID] {
                state.connectionsByUser[previous.userID]?.remove(connectionID)
                if state.connectionsByUser[previous.userID]?.isEmpty == true { state.connectionsByUser[previous.userID] = nil }
            }
            state.clients[connectionID] = Client(userID: userID, session: session, outbox: outbox, sessionEndsAt: sessionEndsAt)
            let wasOffline = state.connectionsByUser[userID, default: []].isEmpty
            state.connectionsByUser[userID, default: []].insert(connectionID)
            return wasOffline
        }
    }

    /// The session was used: it now ends at `sessionEndsAt` unless used again.
    func renew(_ connectionID: Int, sessionEndsAt: Int64) {
        state.withLock { $0.clients[connectionID]?.sessionEndsAt = sessionEndsAt }
    }

    /// The account's sessions were ended (disabled, password or second factor reset, password
    /// changed by the session `keeping`): their connections get no more events; their next
    /// request is told the session ended.
    func endSessions(ofUser userID: String, keeping: String? = nil) {
        state.withLock { state in
            for id in state.connectionsByUser[userID] ?? [] where state.clients[id]?.session != keeping {
                Self.remove(id, from: &state)
            }
        }
    }

    /// One session ended (logout): every connection that resumed it stops getting events.
    func endSession(tokenHash: String) {
        state.withLock { state in
            for (id, client) in state.clients where client.session == tokenHash { Self.remove(id, from: &state) }
        }
    }

    private static func remove(_ connectionID: Int, from state: inout State) {
        guard let client = state.clients.removeValue(forKey: connectionID) else { return }
        state.connectionsByUser[client.userID]?.remove(connectionID)
        if state.connectionsByUser[client.userID]?.isEmpty == true { state.connectionsByUser[client.userID] = nil }
    }

    func bind(_ connectionID: Int, deviceID: String) {
        state.withLock { $0.clients[connectionID]?.deviceID = deviceID }
    }

    /// Forgets a connection; returns its user when that was their last (they went offline).
    @discardableResult
    func detach(_ connectionID: Int) -> String? {
        state.withLock { state in
            guard let client = state.clients.removeValue(forKey: connectionID) else { return nil }
            state.connectionsByUser[client.userID]?.remove(connectionID)
            guard state.connectionsByUser[client.userID]?.isEmpty ?? true else { return nil }
            state.connectionsByUser[client.userID] = nil
            return client.userID
        }
    }

    /// Marks a connection away (or back); returns the user's presence afterwards.
    func setAway(_ connectionID: Int, _ away: Bool) -> String? {
        state.withLock { state in
            guard let userID = state.clients[connectionID]?.userID else { return nil }
            state.clients[connectionID]?.away = away
            return Self.presence(of: userID, in: state)
        }
    }

    /// "online" when any connection of the user is not away, "away" when all are, else "offline".
    func presence(of userID: String) -> String {
        state.withLock { Self.presence(of: userID, in: $0) }
    }

    private static func presence(of userID: String, in state: State) -> String {
        guard let connections = state.connectionsByUser[userID], !connections.isEmpty else { return "offline" }
        return connections.contains { state.clients[$0]?.away == false } ? "online" : "away"
    }

    /// Posts `text` to every connection of `users`, except the connection `except`.
    func post(_ text: String, toUsers users: some Sequence<String>, except: Int? = nil) {
        let now = Clock.nowSeconds()
        let outboxes = state.withLock { state in
            users.flatMap { state.connectionsByUser[$0] ?? [] }.filter { $0 != except }.compactMap { id in
                state.clients[id].flatMap { $0.sessionEndsAt > now ? $0.outbox : nil }
            }
        }
        for outbox in outboxes { outbox.post(text) }
    }

    /// Posts `text` to the connections bound to `deviceID`.
    func post(_ text: String, toDevice deviceID: String, ofUser userID: String) {
        let now = Clock.nowSeconds()
        let outboxes = state.withLock { state in
            (state.connectionsByUser[userID] ?? []).compactMap { id in
                state.clients[id].flatMap { $0.deviceID == deviceID && $0.sessionEndsAt > now ? $0.outbox : nil }
            }
        }
        for outbox in outboxes { outbox.post(text) }
    }
}
