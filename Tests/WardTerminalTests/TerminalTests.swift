import Testing
import WardTerminal

@Suite("Display width and wrapping")
struct WrapTests {
    @Test func widthsOfWhatPeopleType() {
        #expect(DisplayWidth.of("hello") == 5)
        #expect(DisplayWidth.of("漢字") == 4)
        #expect(DisplayWidth.of("é") == 1)
        #expect(DisplayWidth.of("e\u{301}") == 1, "a combining accent takes no column")
        #expect(DisplayWidth.of("🩺") == 2)
        #expect(DisplayWidth.of("🧑\u{200D}⚕️") == 2, "a ZWJ sequence is one character")
        #expect(DisplayWidth.of("\u{200B}") == 0)
    }

    @Test func linesFitTheirWidthAndKeepEveryCharacter() {
        let text = "bed 4 needs a review before the 7 o'clock handover 🩺 漢字漢字 done"
        for width in [1, 2, 3, 5, 8, 13, 20, 80] {
            let lines = Wrap.lines(text, width: width)
            #expect(lines.allSatisfy { DisplayWidth.of($0) <= max(width, 2) }, "width \(width): \(lines)")
            #expect(lines.joined().filter { $0 != " " } == text.filter { $0 != " " }, "width \(width) lost characters")
        }
        #expect(Wrap.lines("one two three", width: 7) == ["one two", "three"])
        #expect(Wrap.lines("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(Wrap.lines("line one\nline two", width: 40) == ["line one", "line two"])
        #expect(Wrap.lines("", width: 10) == [""])
        #expect(Wrap.lines("x", width: 0) == ["x"], "a zero-width terminal degrades instead of failing")
    }
}

@Suite("Line editing")
struct LineEditorTests {
    func typed(_ text: String) -> LineEditor {
        var editor = LineEditor()
        for character in text { editor.apply(.character(character)) }
        return editor
    }

    @Test func readlineKeys() {
        var editor = typed("hello wide 漢字 world")
        editor.apply(.killWordBackward)
        #expect(editor.text == "hello wide 漢字 " && editor.killed == Array("world"))
        editor.apply(.home)
        editor.apply(.killToEnd)
        #expect(editor.text.isEmpty && editor.cursor == 0)
        editor.apply(.yank)
        #expect(editor.text == "hello wide 漢字 ")
        editor.apply(.left)
        editor.apply(.left)
        #expect(editor.cursorColumn == DisplayWidth.of("hello wide 漢"))
        editor.apply(.killToStart)
        #expect(editor.text == "字 " && editor.cursor == 0)
        editor.apply(.end)
        editor.apply(.backspace)
        editor.apply(.backspace)
        #expect(editor.text.isEmpty)
        editor.apply(.backspace)
        editor.apply(.delete)
        #expect(editor.text.isEmpty, "keys at the edges do nothing")
    }

    @Test func historyBrowsesAndKeepsTheDraft() {
        var editor = typed("first")
        _ = editor.submit()
        for character in "second" { editor.apply(.character(character)) }
        #expect(editor.submit() == "second")
        for character in "draft" { editor.apply(.character(character)) }
        editor.apply(.up)
        #expect(editor.text == "second")
        editor.apply(.up)
        editor.apply(.up)
        #expect(editor.text == "first")
        editor.apply(.down)
        editor.apply(.down)
        #expect(editor.text == "draft", "coming back down returns to what was being typed")
    }

    @Test func emojiAreEditedWhole() {
        var editor = typed("ok 🧑\u{200D}⚕️")
        editor.apply(.backspace)
        #expect(editor.text == "ok ")
    }
}

@Suite("Commands")
struct CommandTests {
    @Test func linesBecomeChatOrCommands() {
        #expect(InputLine(parsing: "hello") == .chat("hello"))
        #expect(InputLine(parsing: "  ") == .empty)
        #expect(InputLine(parsing: "/join Ward 3") == .command(.join(room: "Ward 3")))
        #expect(InputLine(parsing: "/me waves") == .command(.me(action: "waves")))
        #expect(InputLine(parsing: "/q") == .command(.quit))
        #expect(InputLine(parsing: "/quit") == .command(.quit))
        #expect(InputLine(parsing: "//etc/hosts is a path") == .chat("/etc/hosts is a path"))
        #expect(InputLine(parsing: "/dm") == .invalid("usage: /dm USER"))
        #expect(InputLine(parsing: "/leave now") == .invalid("/leave takes nothing after it"))
    }

    @Test func unknownCommandsAreNeverSentAsChat() {
        guard case let .invalid(message) = InputLine(parsing: "/jion Ward 3") else {
            Issue.record("an unknown command was not refused")
            return
        }
        #expect(message.contains("unknown command /jion") && message.contains("/join") && message.contains("/help"))
        guard case .invalid = InputLine(parsing: "/") else {
            Issue.record("a lone slash was not refused")
            return
        }
    }
}

@Suite("Message lines")
struct MessageFormatTests {
    @Test func linesReadAsTheClinicExpects() {
        #expect(MessageFormat.message("bed 4", from: .init(name: "Ann", role: "Nurse", isMe: false)) == "Ann (Nurse): bed 4")
        #expect(MessageFormat.message("on my way", from: .init(name: "Bo", role: "Doctor", isMe: true)) == "Me: on my way")
        #expect(MessageFormat.message("waves", from: .init(name: "Ann", role: "Nurse", isMe: false), emote: true) == "* Ann waves")
        #expect(MessageFormat.joined("Ann") == "*** Ann has joined")
        #expect(MessageFormat.left("Ann") == "*** Ann has left")
    }

    @Test func textCannotDriveTheTerminal() {
        let hostile = "ok\u{1B}[2J\u{202E}txt.exe\nnext 🧑\u{200D}⚕️"
        let shown = MessageFormat.safe(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0 == "\n" })
        #expect(shown.contains("🧑\u{200D}⚕️"), "emoji sequences survive")
    }
}
