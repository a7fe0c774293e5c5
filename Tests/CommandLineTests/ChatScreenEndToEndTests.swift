import Foundation
import Testing
import WardTestSupport

/// A tmux server of its own (a private socket), to run `ward`'s screen in panes of a chosen
/// size: keys go in with send-keys, the screen comes out with capture-pane.
struct Tmux {
    let socket = "ward-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    static let path = "/usr/bin/tmux"

    @discardableResult
    func run(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(Self.path, ["-L", socket, "-f", "/dev/null"] + arguments)
    }

    /// A session running `command` with `environment`, in a `width`×`height` window.
    func start(_ session: String, width: Int, height: Int, environment: [String: String], command: [String]) throws {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let line = (["env", "LANG=C.UTF-8", "TERM=screen-256color"] + assignments + command).map(Self.quoted).joined(separator: " ")
        // The tmux server this starts lives on: it must not inherit the test's descriptors (the
        // pipes, and the socket Foundation watches to see a child end), or the test would wait
        // for it for ever. bash closes them before starting tmux. Nor the test process's blocked
        // signals (its dispatch signal sources block SIGHUP and SIGTERM): with them blocked, the
        // panes and the server outlived `kill-server`. python3 clears the mask, then runs tmux.
        let closeAndRun = "for fd in $(ls /proc/self/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done; exec \"$@\""
        let unblockAndRun = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", closeAndRun, "tmux", "/usr/bin/env", "python3", "-c", unblockAndRun, Self.path, "-L", socket, "-f", "/dev/null",
            "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", line
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TmuxError.failed("tmux new-session exited with \(process.terminationStatus)") }
        try run(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    /// Types `text` as it is.
    func type(_ session: String, _ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }

    /// Presses keys by tmux's names (Enter, M-2, C-c, PPage).
    func press(_ session: String, _ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }

    func screen(_ session: String) -> String {
        (try? run(["capture-pane", "-p", "-t", session]).stdout) ?? ""
    }

    func resize(_ session: String, width: Int, height: Int) throws {
        try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Whether the program in the session still runs (panes stay after their program ends, so
    /// that what it printed last can be read).
    func isRunning(_ session: String) -> Bool {
        (try? run(["display-message", "-p", "-t", session, "#{pane_dead}"]))?.stdout.hasPrefix("0") == true
    }

    func kill(_ session: String) { _ = try? run(["kill-session", "-t", session]) }

    /// Waits (at most `seconds`) until the screen satisfies `condition`; the last screen either way.
    /// It sleeps without holding a thread: the concurrent tests share as many threads as there
    /// are cores, and the in-process servers of the other suites answer on them.
    @discardableResult
    func wait(_ session: String, seconds: Double = 30, until condition: (String) -> Bool) async -> (Bool, String) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen(session)
            if condition(last) { return (true, last) }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (false, last)
    }

    func waitFor(_ session: String, _ text: String, seconds: Double = 30) async -> (Bool, String) {
        await wait(session, seconds: seconds) { $0.contains(text) }
    }

    /// Ends the tmux server and every program in its panes, and checks that they are gone (a
    /// test ends every process it starts: issue 20 found `ward` panes reconnecting for ever).
    /// Any still running after 5 s is a failure of the test, and is killed.
    func killServer() {
        let listed = (try? run(["list-panes", "-a", "-F", "#{pid} #{pane_pid}"]))?.stdout ?? ""
        let started = Set(listed.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) })
        _ = try? run(["kill-server"])
        let deadline = Date().addingTimeInterval(5)
        var running = started.filter(Self.isRunning)
        while !running.isEmpty && Date() < deadline {
            usleep(50_000)
            running = running.filter(Self.isRunning)
        }
        if !running.isEmpty {
            Issue.record("tmux left processes running after kill-server: \(running.sorted())")
            for pid in running { Glibc.kill(pid, SIGKILL) }
        }
    }

    /// Whether `pid` is a process that has not ended (a zombie has).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let state = stat.split(separator: ")").last?.split(separator: " ").first
        else { return false }
        return state != "Z" && state != "X"
    }

    /// A shell line that runs "$0" "$@", then says how it ended on the terminal it gave back and
    /// ends the same way (so that both the screen and tmux can tell).
    static let reportingExit = "\"$0\" \"$@\"; status=$?; echo \"[ward ended: $status]\"; exit $status"

    /// Whether the session's program ended with status 0: said on its screen, or by tmux once
    /// the pane is dead (tmux may learn of the end a moment after the screen shows it, or before).
    func endedCleanly(_ session: String, seconds: Double = 30) async -> (Bool, String) {
        var status = ""
        let (ended, screen) = await wait(session, seconds: seconds) { screen in
            status =
                (try? run(["display-message", "-p", "-t", session, "#{pane_dead_status}"]))?.stdout
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return screen.contains("[ward ended: ") || !status.isEmpty
        }
        return (ended && (screen.contains("[ward ended: 0]") || status == "0"), screen + " (status \(status))")
    }

    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

enum TmuxError: Error { case failed(String) }

/// The real server and two `ward` screens under tmux: what is typed in one appears in the
/// other, Unicode round-trips, commands stay local, resizing (down to 20 columns) does not crash,
/// a server restart shows the lost connection and then recovers, and /q quits after asking.
@Suite("ward's screen, end to end", .serialized)
struct ChatScreenEndToEndTests {
    @Test func twoNursesChatThroughTheScreen() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(300)) { try await self.twoNursesChatThroughTheScreenAlone() }
    }

    /// Run alone among the tests that keep child processes running (see ExclusiveSubprocesses).
    func twoNursesChatThroughTheScreenAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let tmux = Tmux()
        defer { tmux.killServer() }
        for who in 0...1 {
            // The shell says how ward ended, on the terminal it gives back.
            try tmux.start(
                ["ann", "bo"][who], width: 80, height: 24, environment: clinic.environment(who, in: dir),
                command: [
                    "/bin/sh", "-c", Tmux.reportingExit, Binaries.ward, clinic.target(who),
                    "--trust-fingerprint", clinic.fingerprint
                ])
        }
        for session in ["ann", "bo"] {
            // Signed in; the room list shows the status window and the room, the status bar who and where.
            let (ready, screen) = await tmux.wait(session, seconds: 60) { screen in
                ["Signed in to", "1 ward", "2 Handover", "(Nurse)", "connected"].allSatisfy(screen.contains)
            }
            #expect(ready, "\(session): \(screen)")
        }

        // Ann opens the room (Alt-2) and writes; Bo, in ward's own window, sees the room light up,
        // then reads it there.
        let text = "bed 4 needs a review 🩺 漢字 é"
        try tmux.press("ann", "M-2")
        try tmux.type("ann", text)
        try tmux.press("ann", "Enter")
        let (annSees, annScreen) = await tmux.waitFor("ann", "Me: \(text)")
        let annAcknowledged = annSees && !annScreen.contains("(unsent)") ? true : await tmux.wait("ann") { !$0.contains("(unsent)") }.0
        #expect(annAcknowledged, "\(annScreen)")
        let (unread, boList) = await tmux.waitFor("bo", "Handover (1)")
        #expect(unread, "\(boList)")
        try tmux.press("bo", "M-2")
        let (boSees, boScreen) = await tmux.waitFor("bo", "Ann (Nurse): \(text)")
        #expect(boSees, "\(boScreen)")
        #expect(boScreen.contains(" new messages "), "the marker shows where the unread lines begin: \(boScreen)")

        // Commands stay local: an unknown one says so, and nothing reaches Ann.
        try tmux.type("bo", "/frobnicate now")
        try tmux.press("bo", "Enter")
        let (unknown, unknownScreen) = await tmux.waitFor("bo", "unknown command /frobnicate")
        #expect(unknown, "\(unknownScreen)")
        try tmux.type("bo", "/me waves")
        try tmux.press("bo", "Enter")
        #expect(await tmux.waitFor("ann", "* Bo waves").0)
        #expect(!tmux.screen("ann").contains("frobnicate"))

        // Typing survives incoming messages: Ann's half-typed line is intact after Bo writes.
        try tmux.type("ann", "half typed")
        try tmux.type("bo", "are you there?")
        try tmux.press("bo", "Enter")
        let (arrived, annTyping) = await tmux.waitFor("ann", "Bo (Nurse): are you there?")
        #expect(arrived && annTyping.split(separator: "\n").last?.hasPrefix("> half typed") == true, "\(annTyping)")
        try tmux.press("ann", "C-u")

        // Resizing, down to 20 columns and a few rows, and back.
        for (width, height) in [(20, 8), (20, 3), (120, 40), (80, 24)] {
            try tmux.resize("ann", width: width, height: height)
            // Repainted for the new size: the input line at the bottom, the room list only when wide.
            let (repainted, screen) = await tmux.wait("ann", seconds: 10) { screen in
                let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                return rows.last?.hasPrefix(">") == true && rows.contains { $0.hasPrefix("1 ward") } == (width >= 60)
            }
            #expect(repainted && tmux.isRunning("ann"), "at \(width)x\(height): \(screen)")
        }
        try tmux.type("ann", "still here")
        try tmux.press("ann", "Enter")
        #expect(await tmux.waitFor("bo", "Ann (Nurse): still here").0)

        // The server restarts: both see the connection lost; what Ann types meanwhile waits,
        // marked unsent, and arrives once the connection is back.
        served.stop()
        let (lost, lostScreen) = await tmux.waitFor("ann", "Connection to server lost")
        #expect(lost, "\(lostScreen)")
        try tmux.type("ann", "typed while down")
        try tmux.press("ann", "Enter")
        let (queued, queuedScreen) = await tmux.waitFor("ann", "Me: typed while down (unsent)")
        #expect(queued, "\(queuedScreen)")
        served = try served.restarted()
        let (delivered, boAfter) = await tmux.waitFor("bo", "Ann (Nurse): typed while down", seconds: 60)
        #expect(delivered, "\(boAfter)")
        let (acknowledged, annAfter) = await tmux.wait("ann", seconds: 30) { $0.contains("Me: typed while down") && !$0.contains("(unsent)") }
        #expect(acknowledged, "\(annAfter)")

        // Bo writes from a second device with a new identity key (the same session; nothing
        // admitted it): Ann's screen warns that Bo's identity changed and does not show the
        // message, and the phone is told it left Bo's first device out (issue 17).
        let second = dir.path + "/config-1-phone"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        for file in ["ward-sessions.json", "known_servers.json"] {
            try FileManager.default.copyItem(atPath: dir.path + "/config-1/" + file, toPath: second + "/" + file)
        }
        var phone = clinic.environment(1, in: dir)
        phone["WARD_CONFIG_DIR"] = second
        let fromPhone = try runProcess(Binaries.ward, ["send", clinic.target(1), "Handover", "from my phone"], environment: phone)
        #expect(fromPhone.status == 0 && fromPhone.stderr.contains("WARNING"), "\(fromPhone.stderr)")
        let (warned, warning) = await tmux.wait("ann") { $0.contains("Bo's identity key changed") && $0.contains("cannot be read on this device") }
        #expect(warned && !warning.contains("from my phone"), "\(warning)")

        // /q asks first; n stays, y quits and gives the terminal back.
        try tmux.type("bo", "/q")
        try tmux.press("bo", "Enter")
        #expect(await tmux.waitFor("bo", "Quit ward?").0)
        try tmux.type("bo", "n")
        try tmux.press("bo", "Enter")
        let (stayed, _) = await tmux.wait("bo", seconds: 10) { $0.split(separator: "\n").last?.hasPrefix(">") == true }
        #expect(stayed && tmux.isRunning("bo"))
        try tmux.type("bo", "/quit")
        try tmux.press("bo", "Enter")
        #expect(await tmux.waitFor("bo", "Quit ward?").0)
        try tmux.type("bo", "y")
        try tmux.press("bo", "Enter")
        let (ended, last) = await tmux.endedCleanly("bo")
        #expect(ended, "ward did not quit cleanly: \(last)")
        #expect(tmux.isRunning("ann"), "Ann's screen is not affected")

        // Closing the terminal (the window, the SSH connection) ends ward instead of leaving it behind.
        tmux.kill("ann")
        let pattern = "ward \(clinic.target(0))"
        var remaining = true
        for _ in 0..<100 where remaining {
            remaining = Self.processRunning(commandContaining: pattern)
            if remaining { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!remaining, "ward went on running after its terminal closed")
    }

    @Test func theCommandsWorkOnTheScreen() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(300)) { try await self.theCommandsWorkOnTheScreenAlone() }
    }

    /// Run alone among the tests that keep child processes running (see ExclusiveSubprocesses).
    func theCommandsWorkOnTheScreenAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let tmux = Tmux()
        defer { tmux.killServer() }
        // Ann's editor writes a note into the file it is given (as a person would, then save and quit).
        let editor = dir.path + "/editor.sh"
        try "#!/bin/sh\nprintf 'Observed settled overnight\\n# a comment line\\n' > \"$1\"\n".write(toFile: editor, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        for who in 0...1 {
            var environment = clinic.environment(who, in: dir)
            environment["EDITOR"] = editor
            try tmux.start(
                ["ann", "bo"][who], width: 100, height: 30, environment: environment,
                command: [
                    "/bin/sh", "-c", Tmux.reportingExit, Binaries.ward, clinic.target(who),
                    "--trust-fingerprint", clinic.fingerprint
                ])
            #expect(await tmux.waitFor(["ann", "bo"][who], "2 Handover", seconds: 60).0)
        }
        func command(_ line: String, expecting text: String, on session: String = "ann") async -> String {
            _ = try? tmux.type(session, line)
            _ = try? tmux.press(session, "Enter")
            let (shown, screen) = await tmux.waitFor(session, text)
            #expect(shown, "\(line): \(screen)")
            return screen
        }
        _ = await command("/help", expecting: "/search TEXT")
        try tmux.press("ann", "M-2")
        _ = await command("the chart for bed 9 is updated", expecting: "Me: the chart for bed 9 is updated")
        let who = await command("/who", expecting: "Bo (Nurse)")
        #expect(who.contains("Ann (Nurse) — online (you)"), "\(who)")
        _ = await command("/search CHART", expecting: "1 line(s) on this device contain")
        // A direct conversation: a new window for Ann, and one that appears for Bo.
        _ = await command("/dm nurse.bo", expecting: "A direct conversation with Bo (Nurse)")
        #expect(await tmux.waitFor("bo", "3 Ann").0, "Bo sees the new conversation: \(tmux.screen("bo"))")
        _ = await command("just us", expecting: "Me: just us")
        try tmux.press("bo", "M-3")
        #expect(await tmux.waitFor("bo", "Ann (Nurse): just us").0)
        _ = await command("/dm nurse.nobody", expecting: "not_found")
        // Safety numbers: Bo's identity, pinned on first contact, then confirmed after comparing.
        let keys = await command("/keys nurse.bo", expecting: "safety number")
        #expect(keys.contains("pinned on first contact, not verified") && keys.contains("vouched for by the pinned identity"), "\(keys)")
        _ = await command("/keys nurse.bo verify", expecting: "identity is verified on this device")
        _ = await command("/keys nurse.bo", expecting: "(verified): safety number")
        // Her own export, from the screen.
        _ = await command("/export \(dir.path)/ann-export.json", expecting: "readable on this device")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/ann-export.json"))
        // Consent: listed, granted after the text is shown, withdrawn; an erasure request asks first.
        _ = await command("/consent", expecting: "appointment-reminders")
        let consentText = await command("/consent grant research", expecting: "Do you agree to research")
        #expect(consentText.contains("Research on pseudonymised data (research, version 1)"), "\(consentText)")
        _ = await command("y", expecting: "Consent to research given")
        _ = await command("/consent withdraw research", expecting: "Consent to research withdrawn")
        _ = await command("/erase", expecting: "Type erase to confirm")
        _ = await command("no", expecting: "No erasure request was filed")
        _ = await command("/appointments", expecting: "No upcoming appointments")
        _ = await command("/book nurse.nobody", expecting: "no bookable clinician")
        _ = await command("/notifications", expecting: "No unread notifications")
        // Ann is not on Pia's care team: the record is refused, a note asks first, an emergency access needs a reason.
        _ = await command("/record pat.pia", expecting: "refused by the clinic's policy")
        _ = await command("/breakglass pat.pia", expecting: "Why? (at least a sentence")
        _ = await command("", expecting: "No emergency access was declared")
        // Declared with a sentence: the status bar counts the hour down; the record reads; a note
        // is written in $EDITOR (the screen comes back after) and refused: an emergency reads only.
        _ = await command("/breakglass pat.pia", expecting: "Why? (at least a sentence")
        _ = await command("Found collapsed in the corridor, her team is off duty", expecting: "EMERGENCY ACCESS pat.pia: 60 min left")
        _ = await command("/record pat.pia", expecting: "The record has no entries")
        let refusedNote = await command("/note pat.pia", expecting: "refused by the clinic's policy")
        #expect(refusedNote.contains("EMERGENCY ACCESS"), "the screen is painted again after the editor: \(refusedNote)")
        // Leaving asks first, then closes the window.
        _ = await command("/leave", expecting: "Leave Bo?")
        let left = await command("y", expecting: "You left Bo")
        #expect(!left.contains("removed"), "\(left)")
        #expect(await tmux.waitFor("bo", "*** Ann has left").0, "\(tmux.screen("bo"))")
        // A new password at masked prompts; this device's keys are sealed with it.
        _ = await command("/passwd", expecting: "Current password:")
        try tmux.type("ann", TwoNurses.password)
        try tmux.press("ann", "Enter")
        #expect(!tmux.screen("ann").contains(TwoNurses.password), "the password is never shown")
        _ = await command("a brand new passphrase", expecting: "New password again:")
        _ = await command("a brand new passphrase", expecting: "Password changed")
        _ = await command("/quit", expecting: "Quit ward?")
        try tmux.type("ann", "y")
        try tmux.press("ann", "Enter")
        #expect(await tmux.endedCleanly("ann").0)
        // The session stands, and this device's keys now open with the new password only.
        var environment = clinic.environment(0, in: dir)
        let stale = try runProcess(Binaries.ward, ["rooms", clinic.target(0)], environment: environment)
        #expect(stale.status == 2 && stale.stderr.contains("passphrase"), "\(stale.stderr)")
        environment["WARD_PASSWORD"] = "a brand new passphrase"
        let rooms = try runProcess(Binaries.ward, ["rooms", clinic.target(0)], environment: environment)
        #expect(rooms.status == 0 && rooms.stdout.contains("Handover"), "\(rooms.stderr)")

        // /logout ends the session on the server and forgets it here.
        try tmux.start(
            "ann-again", width: 80, height: 24, environment: environment,
            command: ["/bin/sh", "-c", Tmux.reportingExit, Binaries.ward, clinic.target(0)])
        #expect(await tmux.waitFor("ann-again", "2 Handover", seconds: 60).0)
        try tmux.type("ann-again", "/logout")
        try tmux.press("ann-again", "Enter")
        #expect(await tmux.endedCleanly("ann-again").0)
        let sessions = try String(contentsOfFile: dir.path + "/config-0/ward-sessions.json", encoding: .utf8)
        #expect(!sessions.contains(clinic.target(0).split(separator: "@")[1]), "\(sessions)")
    }

    /// Whether a process whose command line contains `text` runs (read from /proc).
    static func processRunning(commandContaining text: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard entry.allSatisfy(\.isNumber), let bytes = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            return String(decoding: bytes.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }
}
