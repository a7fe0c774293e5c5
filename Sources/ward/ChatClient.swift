import Foundation
import WardClient
import WardCommandLine
import WardCrypto
import WardE2EE
import WardProtocol
import WardTerminal

/// The screen's client: keeps the windows in step with the server, sends what is typed (queued
/// and shown as unsent until the server acknowledges it, across reconnections), and runs the
/// commands. Messages are decrypted and encrypted here, on this device, by `SecureMessenger`.
actor ChatClient {
    struct Me: Sendable {
        var userID: String
        var username: String
        var displayName: String
        var role: String
    }

    /// A message typed and not yet acknowledged. Its client id stays the same on every attempt,
    /// so a resend after a lost acknowledgement is stored once.
    struct Pending: Sendable {
        var roomID: String
        var content: MessageContent
        var clientMessageID: String
        var pendingID: String
        var urgent = false
    }

    let screen: SharedScreen
    let access: ServerAccess
    private(set) var me: Me
    /// The current connection's messenger; nil while disconnected.
    private(set) var messenger: SecureMessenger?
    /// The last messenger, continued on the next connection (its keys survive).
    private var device: SecureMessenger
    private var rooms: [String: RoomInfo] = [:]
    private var members: [String: [String: MemberInfo]] = [:]
    /// Moves the status bar's emergency-access countdown on; nil when no access is open.
    var emergencyCountdown: Task<Void, Never>?
    /// The newest sequence number shown per room: what "resume where it left off" resumes from.
    private var seen: [String: Int] = [:]
    private var pending: [Pending] = []
    private var flushing = false
    private var viewing = ""
    private var answer: CheckedContinuation<String?, Never>?
    private(set) var quitting = false
    /// New devices of people already talked with that the person has been told about.
    private var announcedDevices: Set<String> = []
    private var announcedIssues: Set<TrustIssue> = []
    /// Rooms this user is leaving: their own `member.left` event is expected, not news.
    private var leavingRooms: Set<String> = []
    /// Ends the current connection's event loop: on quit, or when the session must be signed in again.
    private var hangUp: (() -> Void)?

    init(screen: SharedScreen, access: ServerAccess, me: Me, device: SecureMessenger) {
        self.screen = screen
        self.access = access
        self.me = me
        self.device = device
    }

    // MARK: The connection

    /// Serves one connection: brings the windows up to date, sends what is queued, then takes
    /// events until the connection closes or is hung up.
    func serve(_ messenger: SecureMessenger) async throws {
        self.messenger = messenger
        device = messenger
        defer {
            hangUp = nil
            self.messenger = nil
        }
        setConnection("connected")
        try await synchronize()
        Task { await flush() }
        let connection = messenger.connection
        let events = Task {
            while true {
                let event = try await connection.nextEvent()
                await self.handle(event)
            }
        }
        hangUp = { events.cancel() }
        do { try await events.value } catch {}
    }

    /// The connection ended: said once, and the windows wait for the next one.
    func lost() {
        messenger = nil
        guard !quitting else { return }
        setConnection("disconnected")
        screen.update { screen in
            for index in screen.windows.indices {
                screen.append(
                    ChatScreen.Line(time: Self.now(), text: MessageFormat.connectionLost, kind: .system), toRoom: screen.windows[index].roomID)
            }
        }
    }

    func reconnecting(in seconds: Int) {
        setConnection("reconnecting in \(seconds) s")
    }

    func setConnection(_ state: String) {
        screen.update { $0.connection = state }
    }

    /// The messenger to continue on a new connection.
    var lastDevice: SecureMessenger { device }

    /// Brings every window up to date: the room list, members, and the messages after what was shown.
    private func synchronize() async throws {
        guard let connection = messenger?.connection else { return }
        let listed = try await connection.request(RoomList()).rooms
        let listedIDs = Set(listed.map(\.roomID))
        for gone in rooms.keys where !listedIDs.contains(gone) {
            rooms[gone] = nil
            screen.update { $0.closeWindow(roomID: gone) }
        }
        for room in listed { try await load(room) }
        // What was kept while away: the count in the status bar, and a line saying so.
        let unread = try await connection.request(ConversationRequest.notifications(all: false)).unreadNotifications
        let before = screen.read { $0.unreadNotifications }
        screen.update { $0.unreadNotifications = unread }
        if unread > before { say("*** \(unread) unread notification\(unread == 1 ? "" : "s"): /notifications shows them") }
    }

    /// Opens a room's window and fills it: the last 50 messages on first sight, else what came since.
    private func load(_ room: RoomInfo) async throws {
        guard let connection = messenger?.connection else { return }
        rooms[room.roomID] = room
        try await refreshMembers(room.roomID)
        let name = displayName(of: room)
        screen.update { $0.openWindow(roomID: room.roomID, name: name, encryption: "end-to-end encrypted") }
        if let shown = seen[room.roomID] {
            var after = shown
            // Bounded: at most 2,000 missed messages are fetched; older ones stay in `ward read`.
            for _ in 0..<10 {
                let page = try await connection.request(MessageHistory(roomID: room.roomID, after: after, limit: 200)).messages
                for message in page { await show(message, notify: true) }
                guard let last = page.last, page.count == 200 else { break }
                after = last.seq
            }
        } else {
            seen[room.roomID] = 0
            let latest = MessageHistory(roomID: room.roomID, before: room.lastSeq + 1, limit: 50)
            for message in try await connection.request(latest).messages { await show(message, notify: false) }
            let unread = room.unread ?? 0
            screen.update { $0.setUnread(unread, roomID: room.roomID) }
        }
    }

    private func refreshMembers(_ roomID: String) async throws {
        guard let connection = messenger?.connection else { return }
        var byID: [String: MemberInfo] = [:]
        for member in try await connection.request(NamedRoom<RoomMembers>(roomID: roomID)).roomMembers { byID[member.userID] = member }
        members[roomID] = byID
    }

    /// A direct room is called by the other person's name; others by their own.
    private func displayName(of room: RoomInfo) -> String {
        guard room.direct, let other = members[room.roomID]?.values.first(where: { $0.userID != me.userID }) else { return room.name }
        return other.displayName
    }

    // MARK: Events

    private func handle(_ event: ServerEvent) async {
        switch event {
        case let .message(message):
            if rooms[message.roomID] == nil { try? await synchronize() }
            await show(message, notify: true)
        case let .key(deliveries):
            for delivery in deliveries { try? await messenger?.accept(delivery) }
        case let .room(room):
            try? await load(room)
            say("*** You are now in \(MessageFormat.safe(displayName(of: room))) (Alt-\(screen.read { $0.index(of: room.roomID) ?? 0 } + 1))")
        case let .memberJoined(change):
            await membershipChanged(change, joined: true)
        case let .memberLeft(change):
            await membershipChanged(change, joined: false)
        case let .notification(notification):
            say("*** " + ScheduleText.notification(notification))
            screen.update {
                $0.unreadNotifications += 1
                $0.bell = true
            }
        case let .presence(presence):
            guard let userID = presence.userID else { return }
            let status = presence.status
            for roomID in members.keys where members[roomID]?[userID] != nil { members[roomID]?[userID]?.presence = status }
        default:
            break
        }
    }

    /// Someone joined or left one of the person's rooms: said in the room; the person themselves
    /// removed, the room forgotten.
    private func membershipChanged(_ change: Reply.Membership, joined: Bool) async {
        let (roomID, userID) = (change.roomID, change.userID)
        if !joined && userID == me.userID {
            guard !leavingRooms.contains(roomID) else { return }
            forget(roomID)
            say("*** You were removed from a room")
            return
        }
        // The name as known before the change (someone who left is no longer listed after it).
        var name = members[roomID]?[userID]?.displayName
        try? await refreshMembers(roomID)
        name = name ?? members[roomID]?[userID]?.displayName ?? userID
        let text = joined ? MessageFormat.joined(name ?? userID) : MessageFormat.left(name ?? userID)
        screen.update { $0.append(ChatScreen.Line(time: Self.now(), text: text, kind: .system), toRoom: roomID) }
    }

    /// Decrypts and shows a message, once.
    private func show(_ message: MessageInfo, notify: Bool) async {
        guard message.seq > seen[message.roomID] ?? 0 else { return }
        seen[message.roomID] = message.seq
        let content: MessageContent
        do {
            guard let messenger else { return }
            content = try await messenger.open(message)
        } catch {
            content = MessageContent(body: "[cannot be read on this device: \(error)]", format: "unreadable")
        }
        if members[message.roomID]?[message.senderID] == nil { try? await refreshMembers(message.roomID) }
        let sender = members[message.roomID]?[message.senderID]
        let isMe = message.senderID == me.userID
        let text = MessageFormat.message(
            content.body, from: .init(name: sender?.displayName ?? message.senderID, role: sender?.role, isMe: isMe),
            emote: content.format == "emote")
        let kind: ChatScreen.Line.Kind = isMe ? .own : mentions(content.body) ? .mention : .message
        let line = ChatScreen.Line(time: Self.time(message.sentAt), text: text, kind: kind)
        screen.update { $0.append(line, toRoom: message.roomID, notify: notify) }
        if notify && viewing == message.roomID { markRead(message.roomID, seq: message.seq) }
        announceNewDevices(in: message.roomID)
    }

    /// A device that appeared for someone this device already talked with is said, never
    /// accepted silently: the person compares its safety number (/keys). A device no pinned
    /// identity vouches for is said loudly: it gets nothing and its messages are not shown.
    private func announceNewDevices(in roomID: String) {
        guard let messenger else { return }
        for issue in messenger.takeDeliveryIssues() {
            let name: String
            switch issue {
            case let .missing(_, senderID, _), let .reordered(_, senderID):
                name = members.values.lazy.compactMap { $0[senderID] }.first.map { MessageFormat.safe($0.displayName) } ?? "someone"
            }
            let text: String
            switch issue {
            case let .missing(_, _, count): text = "*** \(count) message(s) from \(name) did not arrive: the server held them back or lost them"
            case .reordered: text = "*** a message from \(name) arrived out of order"
            }
            screen.update { $0.append(ChatScreen.Line(time: Self.now(), text: text, kind: .mention), toRoom: roomID) }
        }
        for issue in messenger.trustIssues where !announcedIssues.contains(issue) {
            announcedIssues.insert(issue)
            let owner = members.values.lazy.compactMap { $0[issue.userID] }.first
            let name = owner.map { MessageFormat.safe($0.displayName) } ?? "someone"
            let what: String
            switch issue {
            case .identityChanged: what = "WARNING: \(name)'s identity key changed"
            case .unsigned: what = "WARNING: a device of \(name) is not signed by their identity key"
            }
            screen.update {
                $0.append(
                    ChatScreen.Line(
                        time: Self.now(),
                        text:
                            "*** \(what) (\(issue.description)). It gets no keys and its messages are not shown; compare safety numbers with "
                            + "/keys USERNAME",
                        kind: .mention), toRoom: roomID)
            }
        }
        for deviceID in messenger.newDevices where !announcedDevices.contains(deviceID) {
            announcedDevices.insert(deviceID)
            let owner = messenger.owner(ofDevice: deviceID).flatMap { id in members.values.lazy.compactMap { $0[id] }.first }
            let name = owner.map { MessageFormat.safe($0.displayName) } ?? "someone"
            screen.update {
                $0.append(
                    ChatScreen.Line(
                        time: Self.now(),
                        text: "*** \(name) has a new device (\(deviceID)): compare its safety number with /keys USERNAME before trusting it",
                        kind: .mention), toRoom: roomID)
            }
        }
    }

    /// Whether a message names this user (display name or username, any case).
    private func mentions(_ body: String) -> Bool {
        let text = body.lowercased()
        return text.contains(me.displayName.lowercased()) || text.contains(me.username.lowercased())
    }

    private func markRead(_ roomID: String, seq: Int) {
        guard let connection = messenger?.connection, seq > 0 else { return }
        Task { _ = try? await connection.request(Receipt(roomID: roomID, kind: "read", seq: seq)) }
    }

    // MARK: Input

    func input(_ input: UserInput) async {
        switch input {
        case let .answer(text):
            let waiting = answer
            answer = nil
            waiting?.resume(returning: text)
        case let .viewing(roomID):
            viewing = roomID
            if let seq = seen[roomID] { markRead(roomID, seq: seq) }
        case .interrupt:
            Task { await self.confirmQuit() }
        case .hangUp:
            quit()
        case let .line(line):
            switch InputLine(parsing: line) {
            case .empty: break
            case let .chat(text): await send(MessageContent(body: text))
            case let .invalid(message): say("*** \(message)")
            // Commands may ask questions, which need the input loop free to take the answers.
            case let .command(command): Task { await self.run(command) }
            }
        }
    }

    /// Asks at the screen's prompt; nil when cancelled. One question at a time.
    func ask(_ label: String, secret: Bool) async -> String? {
        answer?.resume(returning: nil)
        screen.update { $0.prompt = ChatScreen.Prompt(label: label, secret: secret) }
        return await withCheckedContinuation { answer = $0 }
    }

    /// Sign-in questions during a reconnection, at the prompt.
    nonisolated var askAtScreen: AskSecret {
        { [self] prompt, _ in
            guard let answer = await self.ask(prompt.trimmingCharacters(in: .whitespaces), secret: true) else {
                throw UsageError("sign-in cancelled")
            }
            return answer
        }
    }

    func say(_ text: String) {
        screen.update { $0.say(text) }
    }

    // MARK: Sending

    func send(_ content: MessageContent, urgent: Bool = false) async {
        let roomID = screen.read { $0.activeWindow.roomID }
        guard !roomID.isEmpty else {
            say("*** This is ward's own window: pick a room with Alt-number, Ctrl-N, or /join ROOM (/rooms lists them)")
            return
        }
        let item = Pending(
            roomID: roomID, content: content, clientMessageID: Hex.encode(SecureRandom.bytes(12)), pendingID: Hex.encode(SecureRandom.bytes(8)),
            urgent: urgent)
        let text =
            (urgent ? "[urgent] " : "")
            + MessageFormat.message(content.body, from: .init(name: me.displayName, role: me.role, isMe: true), emote: content.format == "emote")
        screen.update { $0.append(ChatScreen.Line(time: Self.now(), text: text, kind: .unsent, pendingID: item.pendingID), toRoom: roomID) }
        pending.append(item)
        // Not awaited: a slow server must not hold up the next line typed or command given.
        Task { await self.flush() }
    }

    /// Sends the queue in order while connected. A refusal drops the message with the reason
    /// shown; a lost connection keeps it queued for the next one.
    private func flush() async {
        guard !flushing else { return }
        flushing = true
        defer { flushing = false }
        while let item = pending.first, let messenger {
            do {
                let info = try await messenger.send(item.content, to: item.roomID, clientMessageID: item.clientMessageID, urgent: item.urgent)
                announceNewDevices(in: item.roomID)
                pending.removeFirst()
                seen[item.roomID] = max(seen[item.roomID] ?? 0, info.seq)
                screen.update { $0.acknowledge(pendingID: item.pendingID) }
            } catch let WardClientError.server(code, message, policies) {
                if code == .sessionExpired {
                    say("*** Your session ended; sign in again to send what is queued")
                    hangUp?()
                    return
                }
                pending.removeFirst()
                let reason = Refusal.text(code, message, policies: policies)
                screen.update { $0.reject(pendingID: item.pendingID, reason: reason) }
            } catch let error as E2EEError {
                pending.removeFirst()
                screen.update { $0.reject(pendingID: item.pendingID, reason: "\(error)") }
            } catch {
                // The connection went: the message waits, still marked unsent.
                return
            }
        }
    }

    // MARK: Quitting

    func confirmQuit() async {
        let unsent = pending.isEmpty ? "" : " \(pending.count) message(s) are not sent yet and will be lost."
        guard let answer = await ask("Quit ward?\(unsent) (y/n)", secret: false), answer.lowercased().hasPrefix("y") else { return }
        quit()
    }

    func quit() {
        quitting = true
        hangUp?()
    }

    // MARK: Helpers for the commands

    var currentRoom: RoomInfo? { rooms[screen.read { $0.activeWindow.roomID }] }
    var allRooms: [RoomInfo] { Array(rooms.values) }
    func membersOf(_ roomID: String) -> [MemberInfo] { members[roomID].map { Array($0.values) } ?? [] }
    func opened(_ room: RoomInfo) async throws { try await load(room) }
    /// Runs the request that leaves a room, then closes its window.
    func leaving(_ roomID: String, _ request: @Sendable () async throws -> Void) async throws {
        leavingRooms.insert(roomID)
        defer { leavingRooms.remove(roomID) }
        try await request()
        forget(roomID)
    }

    func forget(_ roomID: String) {
        rooms[roomID] = nil
        members[roomID] = nil
        seen[roomID] = nil
        screen.update { $0.closeWindow(roomID: roomID) }
    }

    static func now() -> String { time(Int64(Date().timeIntervalSince1970 * 1000)) }

    static func time(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    static func describe(_ error: any Error) -> String { "\(error)" }
}
