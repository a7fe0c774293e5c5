@preconcurrency import CNCursesW
import Foundation
import WardTerminal

/// The terminal through ncursesw: paints frames that `ScreenLayout` made and reads keys. Only
/// the screen's own thread calls it (ncurses is not thread-safe).
final class Terminal {
    /// What a key read from the terminal means.
    enum Input: Equatable {
        case key(ChatScreen.Key)
        /// Ctrl-C, or Escape at a prompt.
        case interrupt
        /// Ctrl-D on an empty line.
        case endOfInput
        case resize
        /// Ctrl-L.
        case redraw
    }

    private var colors = false

    /// Takes over the terminal: wide characters per the locale, keys unbuffered and unechoed,
    /// Ctrl-C and Ctrl-Z as keys (so that a stray one cannot kill the session unasked).
    init() {
        setlocale(LC_ALL, "")
        initscr()
        raw()
        noecho()
        nonl()
        keypad(stdscr, true)
        set_escdelay(25)
        if has_colors() {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_YELLOW), -1)
            init_pair(2, Int16(COLOR_RED), -1)
            colors = true
        }
    }

    /// Gives the terminal back as it was.
    func close() {
        endwin()
    }

    /// Gives the terminal to a program (an editor) until it exits, then takes it back as it
    /// was; returns the program's exit status (-1 when it could not start).
    func runSetAside(_ arguments: [String]) -> Int32 {
        def_prog_mode()
        endwin()
        defer {
            reset_prog_mode()
            refresh()
        }
        guard let executable = arguments.first else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(stdscr)), Int(getmaxy(stdscr))) }

    func paint(_ frame: ScreenFrame, bell: Bool) {
        for (row, segments) in frame.rows.enumerated() {
            wmove(stdscr, Int32(row), 0)
            for segment in segments {
                wattrset(stdscr, Int32(bitPattern: attribute(segment.style)))
                var wide = segment.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                wide.append(0)
                // Writing the bottom-right cell reports an error after drawing it; nothing to do.
                _ = waddwstr(stdscr, wide)
            }
            wclrtoeol(stdscr)
        }
        wattrset(stdscr, 0)
        wmove(stdscr, Int32(frame.cursorRow), Int32(frame.cursorColumn))
        if bell { beep() }
        wrefresh(stdscr)
    }

    /// Whether the terminal went away (the window closed, the connection to it dropped): then
    /// reads fail at once instead of waiting, and nobody is there to answer.
    var hungUp: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return true }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    func clearAll() {
        clearok(stdscr, true)
    }

    private func attribute(_ style: ScreenFrame.Style) -> UInt32 {
        switch style {
        case .normal: return 0
        case .dim: return ward_attr_dim()
        case .bold: return ward_attr_bold()
        case .reverse: return ward_attr_reverse()
        case .marker: return colors ? ward_color_pair(2) | ward_attr_bold() : ward_attr_underline()
        case .highlight: return colors ? ward_color_pair(1) | ward_attr_bold() : ward_attr_bold() | ward_attr_underline()
        }
    }

    /// The next key, waiting at most `milliseconds`; nil when none came.
    func read(waiting milliseconds: Int32, editorIsEmpty: Bool) -> Input? {
        wtimeout(stdscr, milliseconds)
        var character: wint_t = 0
        let status = wget_wch(stdscr, &character)
        if status == ERR { return nil }
        if status == ward_key_code_yes() { return function(Int32(character)) }
        switch character {
        case 1: return .key(.edit(.home)) // Ctrl-A
        case 2: return .key(.edit(.left)) // Ctrl-B
        case 3: return .interrupt // Ctrl-C
        case 4: return editorIsEmpty ? .endOfInput : .key(.edit(.delete))
        case 5: return .key(.edit(.end)) // Ctrl-E
        case 6: return .key(.edit(.right)) // Ctrl-F
        case 8, 127: return .key(.edit(.backspace))
        case 10, 13: return .key(.enter)
        case 11: return .key(.edit(.killToEnd)) // Ctrl-K
        case 12: return .redraw // Ctrl-L
        case 14: return .key(.nextWindow) // Ctrl-N
        case 16: return .key(.previousWindow) // Ctrl-P
        case 21: return .key(.edit(.killToStart)) // Ctrl-U
        case 23: return .key(.edit(.killWordBackward)) // Ctrl-W
        case 25: return .key(.edit(.yank)) // Ctrl-Y
        case 27: return escape()
        default:
            guard character >= 32, let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            return .key(.edit(.character(Character(scalar))))
        }
    }

    /// Escape alone, or Alt with a key: Alt-1…9 and Alt-0 pick a window, Alt-B/F move by words.
    private func escape() -> Input? {
        wtimeout(stdscr, 25)
        var next: wint_t = 0
        let status = wget_wch(stdscr, &next)
        guard status != ERR else { return .interrupt }
        if status == ward_key_code_yes() { return function(Int32(next)) }
        switch next {
        case 48: return .key(.window(10)) // Alt-0
        case 49...57: return .key(.window(Int(next) - 48)) // Alt-1 … Alt-9
        case 98: return .key(.edit(.wordLeft)) // Alt-b
        case 102: return .key(.edit(.wordRight)) // Alt-f
        default: return nil
        }
    }

    private func function(_ code: Int32) -> Input? {
        switch code {
        case KEY_UP: return .key(.edit(.up))
        case KEY_DOWN: return .key(.edit(.down))
        case KEY_LEFT: return .key(.edit(.left))
        case KEY_RIGHT: return .key(.edit(.right))
        case KEY_HOME: return .key(.edit(.home))
        case KEY_END: return .key(.edit(.end))
        case KEY_BACKSPACE: return .key(.edit(.backspace))
        case KEY_DC: return .key(.edit(.delete))
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_ENTER: return .key(.enter)
        case ward_key_resize(): return .resize
        default: return nil
        }
    }
}
