/// The input line: readline-style editing over characters (grapheme clusters), with history.
/// A value type the screen owns; incoming messages never touch it.
public struct LineEditor: Sendable, Equatable {
    public private(set) var characters: [Character] = []
    /// Position of the cursor, 0...characters.count.
    public private(set) var cursor = 0
    /// What Ctrl-K, Ctrl-U and Ctrl-W removed last (Ctrl-Y puts it back).
    public private(set) var killed: [Character] = []
    private var history: [String] = []
    /// Index into history while browsing it with Up/Down; nil when editing a new line.
    private var browsing: Int?
    private var draft: [Character] = []
    public let maxHistory: Int

    public init(maxHistory: Int = 500) {
        self.maxHistory = maxHistory
    }

    public var text: String { String(characters) }

    /// Columns from the start of the line to the cursor.
    public var cursorColumn: Int { DisplayWidth.of(String(characters[..<cursor])) }

    public enum Key: Sendable, Equatable {
        case character(Character)
        case backspace, delete, left, right, home, end, up, down
        case wordLeft, wordRight
        case killToEnd, killToStart, killWordBackward, yank
    }

    /// Applies a key; Ctrl-A/E/W/K/U/Y map to home, end, killWordBackward, killToEnd, killToStart, yank.
    public mutating func apply(_ key: Key) {
        switch key {
        case let .character(character):
            guard !character.isNewline else { return }
            characters.insert(character, at: cursor)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return }
            characters.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < characters.count else { return }
            characters.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = characters.count
        case .wordLeft: cursor = wordStart(before: cursor)
        case .wordRight:
            var index = cursor
            while index < characters.count && characters[index].isWhitespace { index += 1 }
            while index < characters.count && !characters[index].isWhitespace { index += 1 }
            cursor = index
        case .killToEnd:
            killed = Array(characters[cursor...])
            characters.removeSubrange(cursor...)
        case .killToStart:
            killed = Array(characters[..<cursor])
            characters.removeSubrange(..<cursor)
            cursor = 0
        case .killWordBackward:
            let start = wordStart(before: cursor)
            killed = Array(characters[start..<cursor])
            characters.removeSubrange(start..<cursor)
            cursor = start
        case .yank:
            characters.insert(contentsOf: killed, at: cursor)
            cursor += killed.count
        case .up:
            guard !history.isEmpty else { return }
            if browsing == nil { draft = characters }
            let index = max(0, (browsing ?? history.count) - 1)
            browsing = index
            show(Array(history[index]))
        case .down:
            guard let index = browsing else { return }
            if index + 1 < history.count {
                browsing = index + 1
                show(Array(history[index + 1]))
            } else {
                browsing = nil
                show(draft)
            }
        }
    }

    /// Takes the line (for sending), remembers it in the history (not a password typed at a
    /// prompt), and clears the editor.
    public mutating func submit(rememberingInHistory remember: Bool = true) -> String {
        let line = text
        if remember && !line.allSatisfy(\.isWhitespace) && history.last != line {
            history.append(line)
            if history.count > maxHistory { history.removeFirst(history.count - maxHistory) }
        }
        characters = []
        cursor = 0
        browsing = nil
        draft = []
        return line
    }

    private mutating func show(_ line: [Character]) {
        characters = line
        cursor = line.count
    }

    /// The start of the word before `index` (spaces before it skipped), as Ctrl-W and Alt-B see it.
    private func wordStart(before index: Int) -> Int {
        var start = index
        while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
        return start
    }
}
