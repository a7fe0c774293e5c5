import Foundation
import Testing
import WardProtocol
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
        #expect(InputLine(parsing: "/consent") == .command(.consent(action: .list, purpose: nil)))
        #expect(InputLine(parsing: "/consent grant research") == .command(.consent(action: .grant, purpose: "research")))
        #expect(InputLine(parsing: "/consent Withdraw messaging") == .command(.consent(action: .withdraw, purpose: "messaging")))
        #expect(InputLine(parsing: "/consent grant") == .invalid("usage: /consent, or /consent show|grant|withdraw PURPOSE"))
        #expect(InputLine(parsing: "/consent sell research") == .invalid("usage: /consent, or /consent show|grant|withdraw PURPOSE"))
        #expect(InputLine(parsing: "/consent list") == .command(.consent(action: .list, purpose: nil)))
        #expect(InputLine(parsing: "/consent list research") == .invalid("usage: /consent, or /consent show|grant|withdraw PURPOSE"))
        #expect(InputLine(parsing: "/erase") == .command(.erase))
        #expect(InputLine(parsing: "/book nurse.ann") == .command(.book(clinician: "nurse.ann")))
        #expect(InputLine(parsing: "/cancel 2") == .command(.cancel(appointment: "2")))
        #expect(InputLine(parsing: "/reschedule 1") == .command(.reschedule(appointment: "1")))
        #expect(InputLine(parsing: "/book") == .invalid("usage: /book CLINICIAN"))
        #expect(InputLine(parsing: "/appointments") == .command(.appointments) && InputLine(parsing: "/notifications") == .command(.notifications))
        #expect(InputLine(parsing: "/record pat.pia") == .command(.record(patient: "pat.pia")))
        #expect(InputLine(parsing: "/note pat.pia") == .command(.note(patient: "pat.pia")))
        #expect(InputLine(parsing: "/breakglass pat.pia") == .command(.breakGlass(patient: "pat.pia")))
        #expect(InputLine(parsing: "/erase now") == .invalid("/erase takes nothing after it"))
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

@Suite("The chat screen without a terminal")
struct ChatScreenTests {
    func screen(rooms: [String] = ["Handover", "Ward 3"]) -> ChatScreen {
        var screen = ChatScreen(user: "Ann (Nurse)", server: "ward.local:8443", connection: "connected")
        for (index, name) in rooms.enumerated() { screen.openWindow(roomID: "room:\(index)", name: name, encryption: "encrypted") }
        return screen
    }

    func line(_ text: String, _ kind: ChatScreen.Line.Kind = .message) -> ChatScreen.Line {
        ChatScreen.Line(time: "09:15", text: text, kind: kind)
    }

    @Test func messagesOutOfViewCountAsUnreadAndRing() {
        var screen = screen()
        screen.show(window: 1)
        screen.append(line("Bo (Nurse): hello"), toRoom: "room:0")
        #expect(screen.windows[1].unread == 0 && !screen.bell, "the room in view has nothing unread")
        screen.append(line("Bo (Nurse): in Ward 3"), toRoom: "room:1")
        screen.append(line("Cy (Doctor): Ann, bed 4", .mention), toRoom: "room:1")
        #expect(screen.windows[2].unread == 2 && screen.windows[2].mentioned && screen.bell)
        screen.append(line("Me: mine", .own), toRoom: "room:1")
        #expect(screen.windows[2].unread == 2, "own lines are never unread")
        // Switching shows the marker before the first unseen line; leaving removes it.
        _ = screen.press(.window(3), pageRows: 10)
        #expect(screen.active == 2 && screen.windows[2].unread == 0 && !screen.windows[2].mentioned)
        var frame = ScreenLayout.frame(of: &screen, width: 80, height: 12)
        let text = frame.text
        let marker = text.firstIndex { $0.contains(ScreenLayout.newMessagesLabel) }
        let first = text.firstIndex { $0.contains("in Ward 3") }
        #expect(marker != nil && first != nil && marker! < first!, "\(text)")
        _ = screen.press(.previousWindow, pageRows: 10)
        _ = screen.press(.nextWindow, pageRows: 10)
        frame = ScreenLayout.frame(of: &screen, width: 80, height: 12)
        #expect(!frame.text.contains { $0.contains(ScreenLayout.newMessagesLabel) })
    }

    @Test func typingIsUndisturbedByIncomingLines() {
        var screen = screen()
        _ = screen.press(.window(2), pageRows: 10)
        for character in "half a sentence" { _ = screen.press(.edit(.character(character)), pageRows: 10) }
        _ = screen.press(.edit(.left), pageRows: 10)
        for index in 0..<50 { screen.append(line("Bo (Nurse): message \(index)"), toRoom: "room:0") }
        #expect(screen.editor.text == "half a sentence" && screen.editor.cursor == 14)
        let frame = ScreenLayout.frame(of: &screen, width: 40, height: 10)
        #expect(frame.text.last!.hasPrefix("> half a sentence") && frame.cursorColumn == 2 + 14 && frame.cursorRow == 9)
        #expect(screen.press(.enter, pageRows: 10) == "half a sentence" && screen.editor.text.isEmpty)
    }

    @Test func theStatusBarCountsUnreadNotifications() {
        var screen = screen()
        #expect(!ScreenLayout.frame(of: &screen, width: 100, height: 8).text.contains { $0.contains("notification") })
        screen.unreadNotifications = 3
        let bar = ScreenLayout.frame(of: &screen, width: 100, height: 8).text.first { $0.contains("Ann (Nurse)") } ?? ""
        #expect(bar.contains("Ann (Nurse) │ 3 notifications (/notifications) │ ward.local:8443"), "\(bar)")
    }

    @Test func unsentLinesAreMarkedUntilAcknowledged() {
        var screen = screen()
        _ = screen.press(.window(2), pageRows: 10)
        screen.append(ChatScreen.Line(time: "09:16", text: "Me: are you there?", kind: .unsent, pendingID: "c1"), toRoom: "room:0")
        #expect(ScreenLayout.frame(of: &screen, width: 80, height: 8).text.contains { $0.contains("Me: are you there? (unsent)") })
        screen.acknowledge(pendingID: "c1")
        let text = ScreenLayout.frame(of: &screen, width: 80, height: 8).text
        #expect(text.contains { $0.contains("Me: are you there?") } && !text.contains { $0.contains("(unsent)") })
    }

    @Test func everyRowFitsAtEverySizeAndNothingCrashes() {
        var screen = screen(rooms: ["Handover 漢字 🩺", "a very long room name that will not fit"])
        _ = screen.press(.window(2), pageRows: 10)
        for index in 0..<30 {
            screen.append(line("Bo (Nurse): 漢字 and 🧑‍⚕️ emoji in a long line number \(index) that wraps at narrow widths"), toRoom: "room:0")
        }
        for character in "typing 漢字 past the edge of a narrow terminal" { _ = screen.press(.edit(.character(character)), pageRows: 10) }
        for (width, height) in [(1, 1), (2, 1), (5, 2), (20, 5), (20, 24), (59, 10), (60, 10), (80, 24), (200, 60)] {
            let frame = ScreenLayout.frame(of: &screen, width: width, height: height)
            #expect(frame.rows.count == height, "\(width)x\(height)")
            #expect(frame.text.allSatisfy { DisplayWidth.of($0) == width }, "\(width)x\(height): \(frame.text)")
            #expect(frame.cursorColumn >= 0 && frame.cursorColumn < width && frame.cursorRow == height - 1)
        }
        // The room list appears from 60 columns on, with unread counts.
        screen.append(line("Cy (Doctor): news"), toRoom: "room:1")
        let wide = ScreenLayout.frame(of: &screen, width: 80, height: 10).text
        #expect(wide[0].hasPrefix("1 ward") && wide[2].contains("(1)") && wide[1].contains("Handover"), "\(wide)")
        #expect(!ScreenLayout.frame(of: &screen, width: 59, height: 10).text[0].contains("ward"))
    }

    @Test func scrollbackPagesAndReturns() {
        var screen = screen()
        _ = screen.press(.window(2), pageRows: 10)
        for index in 0..<40 { screen.append(line("line \(index)"), toRoom: "room:0") }
        var text = ScreenLayout.frame(of: &screen, width: 40, height: 12).text
        #expect(text[9].contains("line 39"))
        _ = screen.press(.pageUp, pageRows: 10)
        text = ScreenLayout.frame(of: &screen, width: 40, height: 12).text
        #expect(text[9].contains("line 30") && text[10].contains("more below"), "\(text)")
        for _ in 0..<20 { _ = screen.press(.pageUp, pageRows: 10) }
        text = ScreenLayout.frame(of: &screen, width: 40, height: 12).text
        #expect(text[0].contains("line 0 "), "scrolling stops at the oldest line: \(text)")
        for _ in 0..<20 { _ = screen.press(.pageDown, pageRows: 10) }
        #expect(ScreenLayout.frame(of: &screen, width: 40, height: 12).text[9].contains("line 39"))
    }

    @Test func secretPromptsShowStarsAndStayOutOfHistory() {
        var screen = screen()
        screen.prompt = ChatScreen.Prompt(label: "Current password:", secret: true)
        for character in "hunter2" { _ = screen.press(.edit(.character(character)), pageRows: 10) }
        let input = ScreenLayout.frame(of: &screen, width: 40, height: 5).text.last!
        #expect(input.hasPrefix("Current password: *******") && !input.contains("hunter2"))
        #expect(screen.press(.enter, pageRows: 10) == "hunter2")
        screen.prompt = nil
        screen.editor.apply(.up)
        #expect(screen.editor.text.isEmpty, "a password is not kept in the history")
    }

    @Test func longInputIsScrolledNotCut() {
        var screen = screen()
        let long = "the whole of this line must survive a narrow terminal: 漢字 and all"
        for character in long { _ = screen.press(.edit(.character(character)), pageRows: 10) }
        let frame = ScreenLayout.frame(of: &screen, width: 20, height: 5)
        #expect(screen.editor.text == long, "nothing typed is cut")
        #expect(frame.text.last!.hasSuffix("and all ") && frame.cursorColumn == 19 - 0, "\(frame.text.last!)")
        _ = screen.press(.edit(.home), pageRows: 10)
        let start = ScreenLayout.frame(of: &screen, width: 20, height: 5)
        #expect(start.text.last!.hasPrefix("> the whole") && start.cursorColumn == 2)
        #expect(screen.press(.enter, pageRows: 10) == long)
    }

    @Test func searchFindsMessagesNotClientLines() {
        var screen = screen()
        screen.append(line("Bo (Nurse): Bed 4 is ready"), toRoom: "room:1")
        screen.append(line("*** bed 4 search", .system), toRoom: "room:1")
        let found = screen.search("BED 4")
        #expect(found.count == 1 && found[0].room == "Ward 3")
    }
}

@Suite("Privacy texts")
struct PrivacyTextTests {
    @Test func consentLinesSayWhereThePersonStands() {
        let purposes = [
            ConsentPurposeInfo(purpose: "messaging", version: "2", title: "Messaging", text: "…"),
            ConsentPurposeInfo(purpose: "research", version: "1", title: "Research", text: "…"),
            ConsentPurposeInfo(purpose: "appointment-reminders", version: "1", title: "Reminders", text: "…")
        ]
        let day = Int64(1_795_564_800) // 2026-11-25 00:00 UTC
        let records = [
            ConsentInfo(purpose: "messaging", version: "1", givenAt: day, method: "client", withdrawnAt: nil),
            ConsentInfo(purpose: "research", version: "1", givenAt: day, method: "client", withdrawnAt: day + 86_400)
        ]
        let lines = PrivacyText.consentLines(purposes: purposes, records: records)
        #expect(lines[0].contains("given 2026-11-25 to version 1; version 2 is in force"))
        #expect(lines[1].contains("withdrawn 2026-11-26") && lines[2].contains("not given") && lines[2].hasSuffix("Reminders"))
        let request = ErasureRequestInfo(
            requestID: 4, userID: "user:x", requestedBy: "user:x", requestedAt: day, dueAt: day + 30 * 86_400,
            status: "open", overdue: false, completedAt: nil)
        #expect(PrivacyText.erasureLine(request).contains("by 2026-12-25"))
    }
}

@Suite("iCalendar")
struct ICalendarTests {
    @Test func appointmentsBecomeEventsAsRFC5545Says() {
        let appointment = AppointmentInfo(
            appointmentID: "appt:1", patientID: "user:p", clinicianID: "user:d", startsAt: 1_796_117_400,
            endsAt: 1_796_119_200, location: "Room 2; east wing, 3rd floor", status: "requested",
            bookedBy: "user:p", cancelledBy: nil, updatedAt: 1_795_564_800, reason: "never exported",
            clinicianName: "Dr Ann Ødegård-Smith, Dermatology and a long, long title that needs folding")
        let text = ICalendar.document([appointment], stamp: Date(timeIntervalSince1970: 1_795_564_800))
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(text.contains("\r\nDTSTART:20261201T093000Z\r\n") && text.contains("\r\nDTEND:20261201T100000Z\r\n"))
        #expect(text.contains("\r\nLOCATION:Room 2\\; east wing\\, 3rd floor\r\n") && text.contains("\r\nSTATUS:TENTATIVE\r\n"))
        #expect(text.contains("UID:appt:1@ward") && !text.contains("never exported"))
        // Every line fits 75 octets; unfolded, the summary is whole.
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:Appointment with Dr Ann Ødegård-Smith\\, Dermatology and a long\\, long title that needs folding\r\n"))
        #expect(!text.contains("\n\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF only")
    }
}

@Suite("Record text")
struct RecordTextTests {
    @Test func textBecomesTheSectionsFHIRResourceAndReadsBack() {
        for (section, type) in [
            ("demographics", "Patient"), ("allergies", "AllergyIntolerance"), ("medications", "MedicationStatement"),
            ("problems", "Condition"), ("notes", "DocumentReference")
        ] {
            let resource = RecordText.resource(section: section, text: "Penicillin, rash")
            #expect(resource?.contains("\"resourceType\":\"\(type)\"") == true, "\(section)")
            #expect(RecordText.summary(resource ?? "") == "Penicillin, rash", "\(section)")
        }
        #expect(RecordText.resource(section: "gossip", text: "x") == nil)
        #expect(RecordText.summary("not json") == "(unreadable)")
        #expect(RecordText.summary(#"{"resourceType": "Condition"}"#) == "(Condition)")
    }
}

@Suite("Emergency access on the status bar")
struct EmergencyAccessStatusTests {
    @Test func theStatusBarCountsTheAccessDownAndDropsItAtTheEnd() {
        var screen = ChatScreen(user: "nurse.bo", server: "ward.example", connection: "connected")
        screen.now = 1_000_000
        screen.emergencyAccess["pat.pia"] = 1_000_000 + 3600
        #expect(ScreenLayout.statusBar(screen, scrolled: false).hasPrefix(" EMERGENCY ACCESS pat.pia: 60 min left"))
        screen.now += 3600 - 61
        #expect(ScreenLayout.statusBar(screen, scrolled: false).contains("pat.pia: 2 min left"))
        screen.now += 61
        #expect(!ScreenLayout.statusBar(screen, scrolled: false).contains("EMERGENCY"))
        screen.emergencyAccess["\u{1B}[2Jevil"] = screen.now + 60
        #expect(!ScreenLayout.statusBar(screen, scrolled: false).contains("\u{1B}"), "a typed name cannot reach the terminal as control codes")
    }
}

@Suite("A record as a FHIR Bundle")
struct RecordBundleTests {
    @Test func everyVersionIsAnEntryWithItsVersionID() throws {
        let first = RecordEntryInfo(
            versionID: "rec:1", entryID: "entry:a", section: "allergies", version: 1, authorID: "user:d", authorRole: "Doctor",
            createdAt: 1, resource: #"{"resourceType":"AllergyIntolerance","id":"a","meta":{"source":"user:d"},"code":{"text":"latex"}}"#)
        var second = first
        second.version = 2
        second.versionID = "rec:2"
        second.resource = second.resource.replacingOccurrences(of: "latex", with: #"latex, \"severe\""#)
        let text = try #require(RecordText.bundle([first, second], at: Date(timeIntervalSince1970: 0)))
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(bundle["resourceType"] as? String == "Bundle" && bundle["type"] as? String == "collection")
        #expect(bundle["timestamp"] as? String == "1970-01-01T00:00:00Z")
        let resources = try #require(bundle["entry"] as? [[String: Any]]).compactMap { $0["resource"] as? [String: Any] }
        #expect(resources.compactMap { ($0["meta"] as? [String: Any])?["versionId"] as? String } == ["1", "2"])
        #expect(resources.compactMap { ($0["meta"] as? [String: Any])?["source"] as? String } == ["user:d", "user:d"], "the stored meta is kept")
        #expect((resources.last?["code"] as? [String: Any])?["text"] as? String == "latex, \"severe\"")
        var broken = first
        broken.resource = "{not json"
        #expect(RecordText.bundle([broken]) == nil)
    }
}
