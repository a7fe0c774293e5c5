/// What the terminal client shows, without a terminal: the windows (a status window and one per
/// room), their lines, unread counts and "new messages" markers, scrollback, the status bar's
/// facts and the input line. The client changes it from two sides — keys typed, and events from
/// the server — and paints what `ScreenLayout` makes of it. Typing and incoming lines touch
/// different parts, so an incoming message never disturbs what is being typed.
public struct ChatScreen: Sendable {
    /// One line in a window.
    public struct Line: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Someone else's message.
            case message
            /// Someone else's message that names this user.
            case mention
            /// This user's message, acknowledged by the server.
            case own
            /// This user's message, typed but not yet acknowledged: shown as unsent.
            case unsent
            /// What the client says (joins, errors, command output).
            case system
        }

        /// `HH:mm`, or empty.
        public var time: String
        /// The line as `MessageFormat` made it (already safe to print).
        public var text: String
        public var kind: Kind
        /// The client's id for an own message, until the server acknowledges it.
        public var pendingID: String?

        public init(time: String, text: String, kind: Kind, pendingID: String? = nil) {
            self.time = time
            self.text = text
            self.kind = kind
            self.pendingID = pendingID
        }
    }

    /// A window: the status window (`roomID` empty) or a room.
    public struct Window: Sendable, Equatable {
        public var roomID: String
        public var name: String
        public var lines: [Line] = []
        /// Others' lines that arrived while the window was not in view.
        public var unread = 0
        /// A line naming this user arrived while the window was not in view.
        public var mentioned = false
        /// Index into `lines` where the "new messages" marker sits, if any.
        public var newMarker: Int?
        /// Rows scrolled up from the newest line (0: following the conversation).
        public var scroll = 0
        /// How the room is protected, for the status bar.
        public var encryption: String

        public init(roomID: String, name: String, encryption: String = "") {
            self.roomID = roomID
            self.name = name
            self.encryption = encryption
        }
    }

    /// A question the input line asks instead of taking chat (a password, a confirmation).
    public struct Prompt: Sendable, Equatable {
        public var label: String
        /// Typed characters are shown as `*`.
        public var secret: Bool

        public init(label: String, secret: Bool) {
            self.label = label
            self.secret = secret
        }
    }

    public private(set) var windows: [Window]
    /// Index into `windows` of the window in view.
    public private(set) var active = 0
    public var editor = LineEditor()
    public var prompt: Prompt?
    /// The status bar's facts.
    public var user: String
    public var server: String
    public var connection: String
    /// Set when something should ring the terminal bell; the painter clears it.
    public var bell = false
    /// Notifications not yet read (the status bar shows them).
    public var unreadNotifications = 0
    /// Declared emergency accesses: the patient as typed → when the access ends (seconds since
    /// 1970). The status bar shows the time left against `now`.
    public var emergencyAccess: [String: Int64] = [:]
    /// The time the status bar counts from; the client moves it on while an access is open.
    public var now: Int64 = 0
    /// Lines kept per window; older ones are dropped (they stay on the server).
    public let maxLines: Int

    public init(user: String, server: String, connection: String = "connecting", maxLines: Int = 5_000) {
        self.user = user
        self.server = server
        self.connection = connection
        self.maxLines = maxLines
        windows = [Window(roomID: "", name: "ward")]
    }

    public var activeWindow: Window { windows[active] }

    // MARK: Rooms

    /// Adds a room's window, or renames it; returns its index.
    @discardableResult
    public mutating func openWindow(roomID: String, name: String, encryption: String) -> Int {
        if let index = index(of: roomID) {
            windows[index].name = name
            windows[index].encryption = encryption
            return index
        }
        windows.append(Window(roomID: roomID, name: name, encryption: encryption))
        return windows.count - 1
    }

    public mutating func closeWindow(roomID: String) {
        guard let index = index(of: roomID), index > 0 else { return }
        windows.remove(at: index)
        if active == index { active = index - 1 } else if active > index { active -= 1 }
    }

    public func index(of roomID: String) -> Int? {
        roomID.isEmpty ? 0 : windows.firstIndex { $0.roomID == roomID }
    }

    /// Brings a window into view: its unread lines are now seen, and the marker shows where they begin.
    public mutating func show(window index: Int) {
        guard windows.indices.contains(index), index != active else { return }
        // The marker of the window being left has done its job.
        windows[active].newMarker = nil
        active = index
        windows[index].unread = 0
        windows[index].mentioned = false
        windows[index].scroll = 0
    }

    public mutating func showNext() { show(window: (active + 1) % windows.count) }
    public mutating func showPrevious() { show(window: (active + windows.count - 1) % windows.count) }

    // MARK: Lines

    /// Adds a line to a room's window (the status window for an unknown or empty room id).
    /// Others' lines out of view count as unread and ring the bell; a mention also highlights the
    /// room. With `notify` false (history loaded at sign-in) the line is only added.
    public mutating func append(_ line: Line, toRoom roomID: String, notify: Bool = true) {
        let index = self.index(of: roomID) ?? 0
        let fromOthers = notify && (line.kind == .message || line.kind == .mention)
        if fromOthers && (index != active || windows[index].scroll > 0) {
            if windows[index].newMarker == nil { windows[index].newMarker = windows[index].lines.count }
        }
        if fromOthers && index != active {
            windows[index].unread += 1
            if line.kind == .mention { windows[index].mentioned = true }
            bell = true
        } else if line.kind == .mention {
            bell = true
        }
        windows[index].lines.append(line)
        let excess = windows[index].lines.count - maxLines
        if excess > 0 {
            windows[index].lines.removeFirst(excess)
            windows[index].newMarker = windows[index].newMarker.map { $0 - excess }.flatMap { $0 >= 0 ? $0 : nil }
        }
    }

    /// Says something in the window in view.
    public mutating func say(_ text: String, time: String = "") {
        append(Line(time: time, text: text, kind: .system), toRoom: activeWindow.roomID)
    }

    /// The server acknowledged an own message: it is no longer shown as unsent.
    public mutating func acknowledge(pendingID: String) {
        for window in windows.indices {
            if let line = windows[window].lines.firstIndex(where: { $0.pendingID == pendingID }) {
                windows[window].lines[line].kind = .own
                windows[window].lines[line].pendingID = nil
                return
            }
        }
    }

    /// The server refused an own message: the line says so and why, and is not shown as sent.
    public mutating func reject(pendingID: String, reason: String) {
        for window in windows.indices {
            if let line = windows[window].lines.firstIndex(where: { $0.pendingID == pendingID }) {
                windows[window].lines[line].kind = .system
                windows[window].lines[line].text += " (not sent: \(reason))"
                windows[window].lines[line].pendingID = nil
                return
            }
        }
    }

    /// Sets a room's unread count from the server (on sign-in), marking where the unread lines begin.
    public mutating func setUnread(_ count: Int, roomID: String) {
        guard let index = index(of: roomID), index != active, count > 0 else { return }
        windows[index].unread = count
        windows[index].newMarker = max(0, windows[index].lines.count - count)
    }

    /// Lines of every room whose text contains `text` (case-insensitive), newest last.
    public func search(_ text: String) -> [(room: String, line: Line)] {
        let needle = text.lowercased()
        return windows.dropFirst().flatMap { window in
            window.lines.filter { $0.kind != .system && $0.text.lowercased().contains(needle) }.map { (window.name, $0) }
        }
    }

    // MARK: Keys

    /// What a key asks of the client.
    public enum Key: Sendable, Equatable {
        case edit(LineEditor.Key)
        case enter
        case pageUp, pageDown
        case nextWindow, previousWindow
        /// Alt-1 … Alt-9, Alt-0 for the tenth.
        case window(Int)
    }

    /// Applies a key; returns the line when Enter submits one.
    public mutating func press(_ key: Key, pageRows: Int) -> String? {
        switch key {
        case let .edit(edit):
            editor.apply(edit)
        case .enter:
            return editor.submit(rememberingInHistory: prompt?.secret != true)
        case .pageUp:
            windows[active].scroll += max(1, pageRows - 1)
        case .pageDown:
            windows[active].scroll = max(0, windows[active].scroll - max(1, pageRows - 1))
            if windows[active].scroll == 0 { windows[active].newMarker = nil }
        case .nextWindow: showNext()
        case .previousWindow: showPrevious()
        case let .window(number): show(window: number - 1)
        }
        return nil
    }

    /// Keeps the scroll position within what there is to show (the layout knows the row count).
    mutating func clampScroll(maximum: Int) {
        windows[active].scroll = min(windows[active].scroll, max(0, maximum))
    }
}
