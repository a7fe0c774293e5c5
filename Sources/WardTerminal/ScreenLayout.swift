/// What the screen shows at a given size, row by row: the room list on the left when there is
/// room for it, the window in view, the status bar and the input line. Every row fits the width
/// exactly (by display width, never cutting a character), so the painter only copies; any size
/// works, down to one row and one column.
public struct ScreenFrame: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        case normal, dim, bold, reverse, marker, highlight
    }

    public struct Segment: Sendable, Equatable {
        public var text: String
        public var style: Style
    }

    public var rows: [[Segment]]
    /// Where the terminal cursor goes (the input position).
    public var cursorRow: Int
    public var cursorColumn: Int

    /// The rows as plain text (for tests).
    public var text: [String] { rows.map { $0.map(\.text).joined() } }
}

public enum ScreenLayout {
    /// The room list is shown from this many columns on.
    public static let roomListFromWidth = 60
    public static let roomListWidth = 18
    public static let newMessagesLabel = " new messages "

    public static func frame(of screen: inout ChatScreen, width: Int, height: Int) -> ScreenFrame {
        let width = max(1, width), height = max(1, height)
        var rows: [[ScreenFrame.Segment]] = []
        let paneHeight = max(0, height - 2)
        let listWidth = width >= roomListFromWidth ? roomListWidth : 0
        let paneWidth = listWidth > 0 ? width - listWidth - 1 : width

        // The window in view, newest at the bottom, scrolled back by `scroll` rows.
        let all = windowRows(screen.activeWindow, width: paneWidth)
        screen.clampScroll(maximum: all.count - paneHeight)
        let scroll = screen.activeWindow.scroll
        let end = all.count - scroll
        let visible = Array(all[max(0, end - paneHeight)..<max(0, end)])
        let list = listWidth > 0 ? roomList(screen, width: listWidth, height: paneHeight) : []
        for row in 0..<paneHeight {
            var segments: [ScreenFrame.Segment] = []
            if listWidth > 0 {
                segments += list[row]
                segments.append(.init(text: "│", style: .dim))
            }
            let padding = paneHeight - visible.count
            if row >= padding {
                segments += visible[row - padding]
            } else {
                segments.append(.init(text: fit("", paneWidth), style: .normal))
            }
            rows.append(segments)
        }
        if height >= 2 { rows.append([.init(text: fit(statusBar(screen, scrolled: scroll > 0), width), style: .reverse)]) }
        let (input, cursor) = inputLine(screen, width: width)
        rows.append([.init(text: input, style: .normal)])
        return ScreenFrame(rows: rows, cursorRow: rows.count - 1, cursorColumn: cursor)
    }

    /// Every row of a window at `width`: the time, then the text with continuation rows indented
    /// under it, and the "new messages" marker before the first unseen line.
    static func windowRows(_ window: ChatScreen.Window, width: Int) -> [[ScreenFrame.Segment]] {
        var rows: [[ScreenFrame.Segment]] = []
        for (index, line) in window.lines.enumerated() {
            if index == window.newMarker {
                let side = max(0, (width - DisplayWidth.of(newMessagesLabel)) / 2)
                let label = String(repeating: "─", count: side) + newMessagesLabel
                rows.append([.init(text: fit(label + String(repeating: "─", count: width), width), style: .marker)])
            }
            let style: ScreenFrame.Style
            var text = line.text
            switch line.kind {
            case .message, .own: style = .normal
            case .mention: style = .highlight
            case .unsent:
                style = .dim
                text += " (unsent)"
            case .system: style = .bold
            }
            let stamp = line.time.isEmpty ? "" : line.time + " "
            // Continuation rows are indented under the text when that leaves room for it.
            let indent = DisplayWidth.of(stamp) * 2 < width ? DisplayWidth.of(stamp) : 0
            let wrapped = Wrap.lines(text, width: width - indent)
            for (number, part) in wrapped.enumerated() {
                let lead = number == 0 ? (indent > 0 ? stamp : "") : String(repeating: " ", count: indent)
                if number == 0 && indent == 0 && !stamp.isEmpty {
                    // Too narrow for the time beside the text: it gets its own row.
                    rows.append([.init(text: fit(stamp, width), style: .dim)])
                }
                var segments: [ScreenFrame.Segment] = []
                if !lead.isEmpty { segments.append(.init(text: lead, style: number == 0 ? .dim : .normal)) }
                segments.append(.init(text: fit(part, width - DisplayWidth.of(lead)), style: style))
                rows.append(segments)
            }
        }
        return rows
    }

    /// The list of windows: `N name (unread)`, the one in view reversed, rooms with news bold,
    /// mentions highlighted.
    static func roomList(_ screen: ChatScreen, width: Int, height: Int) -> [[ScreenFrame.Segment]] {
        var rows: [[ScreenFrame.Segment]] = []
        // Keep the window in view on the list when there are more windows than rows.
        let first = max(0, min(screen.active - height + 1, screen.windows.count - height))
        for (index, window) in screen.windows.enumerated().dropFirst(first).prefix(height) {
            let count = window.unread > 0 ? " (\(window.unread))" : ""
            let name = MessageFormat.safe(window.name)
            let label = "\(index + 1) " + fit(name, max(1, width - 2 - DisplayWidth.of(count) - DisplayWidth.of("\(index + 1)")), pad: false) + count
            let style: ScreenFrame.Style = index == screen.active ? .reverse : window.mentioned ? .highlight : window.unread > 0 ? .bold : .normal
            rows.append([.init(text: fit(label, width), style: style)])
        }
        while rows.count < height { rows.append([.init(text: fit("", width), style: .normal)]) }
        return rows
    }

    /// The status bar: emergency accesses in force first, then who, where, what is unread.
    public static func statusBar(_ screen: ChatScreen, scrolled: Bool) -> String {
        let window = screen.activeWindow
        var parts = [screen.user, screen.server, screen.connection]
        if !window.roomID.isEmpty { parts.append("\(MessageFormat.safe(window.name)): \(window.encryption)") }
        if screen.unreadNotifications > 0 {
            parts.insert("\(screen.unreadNotifications) notification\(screen.unreadNotifications == 1 ? "" : "s") (/notifications)", at: 1)
        }
        // An emergency access in force stays in sight with the minutes it has left.
        for (patient, endsAt) in screen.emergencyAccess.sorted(by: { $0.value < $1.value }) where endsAt > screen.now {
            let minutes = (endsAt - screen.now + 59) / 60
            parts.insert("EMERGENCY ACCESS \(MessageFormat.safe(patient)): \(minutes) min left", at: 0)
        }
        // First, so that a narrow terminal still shows it.
        if scrolled { parts.insert("-- more below (PgDn) --", at: 0) }
        return " " + parts.joined(separator: " │ ")
    }

    /// The input line, scrolled sideways so that the cursor stays in view; and the cursor's column.
    static func inputLine(_ screen: ChatScreen, width: Int) -> (String, Int) {
        let label = screen.prompt.map { $0.label + " " } ?? "> "
        let editor = screen.editor
        let characters = screen.prompt?.secret == true ? editor.characters.map { _ in Character("*") } : editor.characters
        // The label keeps at least 8 columns for what is typed; a long question is cut, not dropped.
        let labelWidth = min(DisplayWidth.of(label), max(0, width - 8))
        let shownLabel = fit(label, labelWidth)
        let room = max(1, width - labelWidth - 1)
        // Drop characters from the left until the cursor fits.
        var start = 0
        while start < editor.cursor && DisplayWidth.of(String(characters[start..<editor.cursor])) > room { start += 1 }
        let shown = String(characters[start...])
        let cursor = labelWidth + DisplayWidth.of(String(characters[start..<editor.cursor]))
        return (fit(shownLabel + shown, width), min(cursor, width - 1))
    }

    /// `text` cut to at most `width` columns (never inside a character) and, with `pad`, padded
    /// with spaces to exactly `width`.
    public static func fit(_ text: String, _ width: Int, pad: Bool = true) -> String {
        var result = ""
        var used = 0
        for character in text {
            let columns = DisplayWidth.of(character)
            if used + columns > width { break }
            result.append(character)
            used += columns
        }
        if pad && used < width { result += String(repeating: " ", count: width - used) }
        return result
    }
}
