import Foundation
import WardClient
import WardCrypto
import WardCommandLine
import WardE2EE
import WardProtocol
import WardTerminal

/// The screen's slash commands. Each says what it did, or why not, in the window in view.
extension ChatClient {
    func run(_ command: SlashCommand) async {
        do {
            switch command {
            case .help:
                say("*** Commands:")
                for entry in SlashCommand.usage { say("***   \(entry.usage.padding(toLength: 16, withPad: " ", startingAt: 0)) \(entry.what)") }
                say("*** Keys: Alt-1…9 or Ctrl-N/P switch windows, PgUp/PgDn scroll, Up/Down recall, Ctrl-A/E/W/K/U/Y edit")
            case let .join(room): try await join(room)
            case .leave: try await leave()
            case let .directMessage(user): try await directMessage(user)
            case let .invite(user): try await invite(user)
            case .rooms: listRooms()
            case .who: try await who()
            case let .me(action): await send(MessageContent(body: action, format: "emote"))
            case let .urgent(text): await send(MessageContent(body: text), urgent: true)
            case let .search(text): search(text)
            case let .keys(argument): try await keys(argument)
            case .passwd: try await changePassword()
            case let .export(file):
                guard let messenger else { throw NotConnected() }
                say("*** Exporting…")
                say("*** " + (try await OwnExport.write(with: messenger, to: (file as NSString).expandingTildeInPath)))
            case let .consent(action, purpose): try await consent(action, purpose)
            case .erase: try await requestErasure()
            case .appointments: try await listAppointments()
            case let .book(clinician): try await book(clinician)
            case let .cancel(appointment): try await cancel(appointment)
            case let .reschedule(appointment): try await reschedule(appointment)
            case .notifications: try await showNotifications()
            case let .record(patient): try await showRecord(patient)
            case let .note(patient): try await addNote(patient)
            case let .breakGlass(patient): try await breakGlass(patient)
            case .logout: try await logout()
            case .quit: await confirmQuit()
            }
        } catch let WardClientError.server(code, message, policies) {
            say("*** " + Refusal.text(code, message, policies: policies))
        } catch let error as NotConnected {
            say("*** \(error)")
        } catch {
            say("*** \(Self.describe(error))")
        }
    }

    struct NotConnected: Error, CustomStringConvertible {
        var description: String { "Not connected to the server; try again once it is back" }
    }

    private func connection() throws -> WardConnection {
        guard let connection = messenger?.connection else { throw NotConnected() }
        return connection
    }

    // MARK: Privacy

    private func consent(_ action: ConsentAction, _ purpose: String?) async throws {
        let outcome = try await ConsentFlow.run(action, purpose: purpose, on: try connection()) { text, question in
            for line in text { await self.say("*** " + line) }
            return await self.ask(question, secret: false)
        }
        for line in outcome { say("*** " + line) }
    }

    private func requestErasure() async throws {
        for line in PrivacyText.erasureExplanation { say("*** " + line) }
        guard let answer = await ask(PrivacyText.erasureQuestion, secret: false), answer.lowercased() == "erase" else {
            say("*** No erasure request was filed")
            return
        }
        var request = GDPREraseRequest()
        if let note = await ask("Anything the privacy officer should know? (Enter to skip)", secret: false), !note.isEmpty { request.note = note }
        let filed = try await connection().request(request).erasureRequests
        for request in filed { say("*** " + PrivacyText.erasureLine(request)) }
    }

    // MARK: Appointments and notifications

    private func listAppointments() async throws {
        let upcoming = try await Scheduling.upcoming(on: try connection())
        if upcoming.isEmpty { say("*** No upcoming appointments; /book CLINICIAN books one") }
        for (index, appointment) in upcoming.enumerated() { say("***   " + ScheduleText.appointment(appointment, number: index + 1)) }
    }

    /// Shows `slots` numbered and asks for one; nil when cancelled.
    private func pick(from slots: [SlotInfo]) async -> SlotInfo? {
        guard !slots.isEmpty else {
            say("*** No free slots in the next two weeks")
            return nil
        }
        for (index, slot) in slots.prefix(30).enumerated() { say("***   " + ScheduleText.slot(slot, number: index + 1)) }
        guard let answer = await ask("Which slot? (number; Enter cancels)", secret: false), let number = Int(answer),
            (1...min(30, slots.count)).contains(number)
        else {
            say("*** Nothing was booked")
            return nil
        }
        return slots[number - 1]
    }

    private func book(_ name: String) async throws {
        let connection = try connection()
        let clinician = try await Scheduling.clinician(name, on: connection)
        say("*** Free slots with \(MessageFormat.safe(clinician.displayName)):")
        guard let slot = await pick(from: try await Scheduling.slots(of: clinician.userID, days: 14, on: connection)) else { return }
        var request = AppointmentBook(clinicianID: clinician.userID, startsAt: slot.startsAt)
        if let reason = await ask("Why? (optional: only you and the clinicians see it; Enter skips)", secret: false), !reason.isEmpty {
            request.reason = reason
        }
        say("*** Booked: " + ScheduleText.appointment(try await connection.request(request).appointment))
    }

    private func cancel(_ which: String) async throws {
        let connection = try connection()
        let id = try await Scheduling.appointmentID(which, on: connection)
        guard let answer = await ask("Cancel this appointment? (y/n)", secret: false), answer.lowercased().hasPrefix("y") else { return }
        let cancelled = try await connection.request(NamedAppointment<AppointmentCancel>(appointmentID: id)).appointment
        say("*** Cancelled: " + ScheduleText.appointment(cancelled))
    }

    private func reschedule(_ which: String) async throws {
        let connection = try connection()
        let id = try await Scheduling.appointmentID(which, on: connection)
        let current = try await connection.request(NamedAppointment<AppointmentShow>(appointmentID: id)).appointment
        say("*** Free slots with \(MessageFormat.safe(current.clinicianName ?? current.clinicianID)):")
        guard let slot = await pick(from: try await Scheduling.slots(of: current.clinicianID, days: 14, on: connection)) else { return }
        let moved = try await connection.request(AppointmentReschedule(appointmentID: id, startsAt: slot.startsAt)).appointment
        say("*** Moved: " + ScheduleText.appointment(moved))
    }

    private func showNotifications() async throws {
        let connection = try connection()
        let unread = try await connection.request(ConversationRequest.notifications(all: false)).notifications
        if unread.isEmpty { say("*** No unread notifications") }
        for notification in unread.reversed() { say("***   " + ScheduleText.notification(notification)) }
        _ = try await connection.request(NotificationRead())
        screen.update { $0.unreadNotifications = 0 }
    }

    // MARK: Records

    private func showRecord(_ patient: String) async throws {
        let connection = try connection()
        let (entries, withheld, amendments) = try await connection.readRecordView(
            RecordRead(patientID: try await Record.patientID(patient, on: connection)))
        if entries.isEmpty { say("*** The record has no entries") }
        for section in RecordText.sections {
            let inSection = entries.filter { $0.section == section }
            guard !inSection.isEmpty else { continue }
            say("*** \(section):")
            for entry in inSection { say("***   " + RecordText.line(entry)) }
        }
        if !withheld.isEmpty { say("*** " + RecordText.withheldLine(withheld)) }
        let disputed = RecordText.openOrDisputed(amendments)
        if !disputed.isEmpty { say("*** Amendment requests:") }
        for amendment in disputed { say("***   " + RecordText.amendmentLine(amendment)) }
    }

    /// A note written in `$VISUAL` or `$EDITOR` when one is set (the screen set aside
    /// meanwhile), else at the prompt.
    private func addNote(_ patient: String) async throws {
        let connection = try connection()
        let patientID = try await Record.patientID(patient, on: connection)
        let environment = ProcessInfo.processInfo.environment
        let text: String?
        if let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            let screen = self.screen
            text = try await NoteFile.edit(with: editor, patient: patient) { await screen.runOnTerminal($0) }
        } else {
            text = await ask("Note (Enter records it; empty cancels):", secret: false)
        }
        guard let text, !text.isEmpty, let resource = RecordText.resource(section: "notes", text: text) else {
            say("*** No note was recorded")
            return
        }
        if let written = try await connection.request(RecordWrite(patientID: patientID, section: "notes", resource: resource)).recordEntries.first {
            say("*** Recorded: " + RecordText.line(written))
        }
    }

    private func breakGlass(_ patient: String) async throws {
        let connection = try connection()
        let patientID = try await Record.patientID(patient, on: connection)
        say("*** Emergency access is for emergencies only: it is recorded, the privacy officer is told at once and reviews it")
        guard let reason = await ask("Why? (at least a sentence; empty cancels)", secret: false), !reason.isEmpty else {
            say("*** No emergency access was declared")
            return
        }
        if let use = try await connection.request(BreakGlassOpen(patientID: patientID, reason: reason)).breakGlassUses.first {
            say("*** Emergency access until \(ScheduleText.moment(use.endsAt, .current)): /record \(patient) reads the record")
            screen.update {
                $0.emergencyAccess[patient] = use.endsAt
                $0.now = Int64(Date().timeIntervalSince1970)
            }
            countDownEmergencyAccess()
        }
    }

    /// Moves the status bar's clock on while an emergency access is open, and says when one ends.
    private func countDownEmergencyAccess() {
        guard emergencyCountdown == nil else { return }
        emergencyCountdown = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                let now = Int64(Date().timeIntervalSince1970)
                let ended = screen.update { screen -> [String] in
                    screen.now = now
                    let ended = screen.emergencyAccess.filter { $0.value <= now }.map(\.key).sorted()
                    for patient in ended { screen.emergencyAccess[patient] = nil }
                    return ended
                }
                for patient in ended { say("*** Emergency access to \(patient)'s record ended") }
                if screen.read({ $0.emergencyAccess.isEmpty }) { break }
            }
            emergencyCountdown = nil
        }
    }

    // MARK: Rooms

    private func join(_ name: String) async throws {
        let rooms = allRooms
        let lowered = name.lowercased()
        if let match = rooms.first(where: { $0.roomID == name }) ?? rooms.first(where: { $0.name.lowercased() == lowered }),
            let index = screen.read({ $0.index(of: match.roomID) })
        {
            screen.update { $0.show(window: index) }
            await input(.viewing(match.roomID))
            return
        }
        guard name.hasPrefix("room:") else {
            say("*** You are in no room called \(MessageFormat.safe(name)); /rooms lists yours, /dm USER starts a conversation")
            return
        }
        let room = try await connection().request(NamedRoom<RoomJoin>(roomID: name)).room
        try await opened(room)
        if let index = screen.read({ $0.index(of: room.roomID) }) { screen.update { $0.show(window: index) } }
        await input(.viewing(room.roomID))
    }

    private func leave() async throws {
        guard let room = currentRoom else {
            say("*** This is ward's own window; there is no room to leave here")
            return
        }
        let name = MessageFormat.safe(screen.read { $0.activeWindow.name })
        guard let answer = await ask("Leave \(name)? You will no longer see its messages. (y/n)", secret: false),
            answer.lowercased().hasPrefix("y")
        else { return }
        let leave = NamedRoom<RoomLeave>(roomID: room.roomID)
        try await leaving(room.roomID) { try await self.connection().request(leave) }
        say("*** You left \(name)")
    }

    /// A person by exact username, as the policies let this user find them.
    private func find(_ username: String) async throws -> UserInfo {
        guard let found = try await connection().request(UserFind(username: username)).users.first else {
            throw UsageError("no such person")
        }
        return found
    }

    private func directMessage(_ username: String) async throws {
        let person = try await find(username)
        guard person.userID != me.userID else {
            say("*** That is you")
            return
        }
        // An existing direct conversation with them is opened rather than a second one made.
        for room in allRooms where room.direct && membersOf(room.roomID).contains(where: { $0.userID == person.userID }) {
            try await join(room.roomID)
            return
        }
        var create = RoomCreate(kind: "staff", name: "\(me.displayName) and \(person.displayName)", direct: true, members: [person.userID])
        // A conversation with a patient is that patient's care room; between staff, a staff room.
        if me.role == "Patient" || person.role == "Patient" {
            create.kind = "care"
            create.patientID = me.role == "Patient" ? me.userID : person.userID
        }
        let room = try await connection().request(create).room
        try await opened(room)
        try await join(room.roomID)
        say("*** A direct conversation with \(MessageFormat.safe(person.displayName)) (\(person.role)), end-to-end encrypted")
    }

    private func invite(_ username: String) async throws {
        guard let room = currentRoom else {
            say("*** Switch to the room to invite to first")
            return
        }
        let person = try await find(username)
        try await connection().request(RoomMemberChange<RoomInvite>(roomID: room.roomID, userID: person.userID))
        say("*** \(MessageFormat.safe(person.displayName)) was added to \(MessageFormat.safe(room.name))")
    }

    private func listRooms() {
        let windows = screen.read { $0.windows }
        if windows.count == 1 { say("*** You are in no rooms yet; /dm USER starts a conversation") }
        for (index, window) in windows.enumerated().dropFirst() {
            say("***   Alt-\(index + 1)  \(MessageFormat.safe(window.name))" + (window.unread > 0 ? "  (\(window.unread) unread)" : ""))
        }
    }

    private func who() async throws {
        guard let room = currentRoom else {
            say("*** Switch to a room first")
            return
        }
        let people = try await connection().request(NamedRoom<RoomMembers>(roomID: room.roomID)).roomMembers
        say("*** In \(MessageFormat.safe(room.name)):")
        for person in people.sorted(by: { $0.displayName < $1.displayName }) {
            say(
                "***   \(MessageFormat.safe(person.displayName)) (\(person.role)) — \(person.presence)" + (person.userID == me.userID ? " (you)" : "")
            )
        }
    }

    private func search(_ text: String) {
        let found = screen.read { $0.search(text) }
        say("*** \(found.count) line(s) on this device contain \"\(MessageFormat.safe(text))\"" + (found.count > 50 ? "; the newest 50:" : ""))
        for (room, line) in found.suffix(50) { say("***   [\(MessageFormat.safe(room)) \(line.time)] \(line.text)") }
    }

    // MARK: Keys

    /// `/keys USER` shows USER's identity key's safety number (one for all their devices) and
    /// which of their devices in this room it vouches for; `/keys USER verify` confirms that
    /// identity after the numbers were compared in person: it is pinned as verified (replacing
    /// a changed one) and the next message goes to the devices it vouches for.
    private func keys(_ argument: String) async throws {
        let parts = argument.split(separator: " ").map(String.init)
        guard let username = parts.first, parts.count <= 2, parts.count == 1 || parts[1] == "verify" else {
            say("*** usage: /keys USER, or /keys USER verify once you compared the safety numbers")
            return
        }
        guard let room = currentRoom, let messenger else {
            say("*** Switch to a room USER is in first")
            return
        }
        let person = try await find(username)
        let devices = (try await connection().request(NamedRoom<KeysGet>(roomID: room.roomID)).devices).filter { $0.userID == person.userID }
        guard !devices.isEmpty else {
            say("*** \(MessageFormat.safe(person.displayName)) has no device in this room")
            return
        }
        let pinned = messenger.pins.pinned(person.userID)
        var identities: Set<String> = []
        for device in devices {
            guard let verified = try? DeviceKeysCheck.verify(device) else {
                say("***   \(device.deviceID): keys do not verify — do not trust this device")
                continue
            }
            guard let key = verified.identityKey.map({ Base64.encode($0) }) else {
                say("***   \(device.deviceID): not signed by an identity key — gets nothing, shown nothing")
                continue
            }
            identities.insert(key)
            say(
                "***   \(device.deviceID): "
                    + (key == pinned?.key ? "vouched for by the pinned identity" : "vouched for by ANOTHER identity than the one pinned"))
        }
        for key in identities.sorted() {
            let number = PersonIdentity.safetyNumber(identityKey: Base64.decode(key) ?? [])
            let state =
                key != pinned?.key ? "NOT the identity pinned" : pinned?.verified == true ? "verified" : "pinned on first contact, not verified"
            say("*** \(MessageFormat.safe(person.displayName))'s identity (\(state)): safety number \(number)")
        }
        guard parts.count == 2 else {
            say("*** Compare the number with \(MessageFormat.safe(person.displayName)) in person, then /keys \(username) verify")
            return
        }
        guard identities.count == 1, let key = identities.first.flatMap({ Base64.decode($0) }) else {
            say(
                "*** \(MessageFormat.safe(person.displayName)) has \(identities.count) identities here; nothing verified. Ask them which one "
                    + "is theirs."
            )
            return
        }
        messenger.confirmIdentity(of: person.userID, identityKey: key)
        say("*** \(MessageFormat.safe(person.displayName))'s identity is verified on this device")
    }

    // MARK: Account

    private func changePassword() async throws {
        guard let current = await ask("Current password:", secret: true),
            let new = await ask("New password (at least 12 characters):", secret: true),
            let again = await ask("New password again:", secret: true)
        else {
            say("*** Password unchanged")
            return
        }
        guard new == again else {
            say("*** The new passwords differ; password unchanged")
            return
        }
        try await connection().changePassword(current: current, new: new)
        try DeviceKeyPath.reseal(for: access.target, from: current, to: new)
        say("*** Password changed; this device's keys are sealed with the new one")
    }

    private func logout() async throws {
        try await connection().logout()
        var sessions = SavedSessions.load()
        sessions.tokens[access.target.description] = nil
        try sessions.save()
        quit()
    }
}
