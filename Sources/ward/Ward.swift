import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardE2EE
import WardProtocol
import WardTerminal

/// `ward`: the clinic's messaging client. These commands work without a screen, for scripts.
@main
struct Ward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ward",
        abstract: "Ward's messaging client: end-to-end encrypted rooms on a terminal screen (ward USER@HOST), or from scripts.",
        discussion: """
            The password is asked for without echo, or read from WARD_PASSWORD; a second-factor code from WARD_TOTP; a new password, when \
            the server asks for one, from WARD_NEW_PASSWORD. Files (sessions, trusted servers, this device's keys, all mode 0600) live in \
            $WARD_CONFIG_DIR, else $XDG_CONFIG_HOME/ward, else ~/.config/ward.

            On first contact with a server, ward shows its certificate's fingerprint and asks whether to trust it (or takes \
            --trust-fingerprint); a server that later presents another certificate is refused with a warning, as ssh does. At the first \
            sign-in, after the new password, ward offers to set up the second factor (staff need one before they can message; later it \
            takes an enrolment code from an Admin).
            """,
        subcommands: [
            Chat.self, Rooms.self, Send.self, Read.self, Export.self, Consent.self, Erase.self, Appointments.self, Availability.self,
            Notifications.self, Record.self
        ],
        defaultSubcommand: Chat.self
    )

    static func main() async {
        await mainWithWardExitStatusAsync()
    }
}

struct Rooms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List your rooms with their unread counts.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "One JSON object per room.") var json = false

    func run() async throws {
        let json = self.json
        let rooms = try await connection.withMessenger { messenger in
            try await messenger.connection.request(RoomList()).rooms
        }
        for room in rooms {
            if json {
                print(
                    try JSONLine.encode([
                        "roomID": room.roomID, "name": room.name, "kind": room.kind, "unread": "\(room.unread ?? 0)",
                        "lastSeq": "\(room.lastSeq)"
                    ]))
            } else {
                print("\(room.roomID)  \(MessageFormat.safe(room.name))  (\(room.kind), \(room.unread ?? 0) unread)")
            }
        }
    }
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send a message to a room (by its id or its exact name).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The room: its id (room:…) or its exact name.") var room: String
    @Argument(help: "The text to send.") var text: String
    @Flag(help: "Send as an action, as /me does.") var me = false
    @Flag(help: "Urgent: the other members are alerted again until they read it.") var urgent = false

    func run() async throws {
        guard !text.isEmpty else { throw ValidationError("the text is empty") }
        let (room, text, format, urgent) = (self.room, self.text, me ? "emote" : "text", self.urgent)
        let sent = try await connection.withMessenger { messenger in
            let roomID = try await RoomLookup.id(of: room, on: messenger.connection)
            return try await messenger.send(MessageContent(body: text, format: format), to: roomID, urgent: urgent)
        }
        print("sent: \(sent.roomID) #\(sent.seq)")
    }
}

struct Read: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read a room's messages, decrypted on this device.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The room: its id (room:…) or its exact name.") var room: String
    @Option(help: "Only messages after this sequence number.") var since: Int = 0
    @Flag(help: "One JSON object per message.") var json = false

    func run() async throws {
        guard since >= 0 else { throw ValidationError("--since must not be negative") }
        let (room, since, json) = (self.room, self.since, self.json)
        let lines = try await connection.withMessenger { messenger -> [String] in
            let connection = messenger.connection
            let roomID = try await RoomLookup.id(of: room, on: connection)
            var names: [String: MemberInfo] = [:]
            for member in try await connection.request(NamedRoom<RoomMembers>(roomID: roomID)).roomMembers { names[member.userID] = member }
            var lines: [String] = []
            var after = since
            // Pages of 200, at most 10,000 messages in one run.
            for _ in 0..<50 {
                let page = try await connection.request(MessageHistory(roomID: roomID, after: after, limit: 200)).messages
                for message in page {
                    let sender = names[message.senderID]
                    let content: MessageContent
                    do { content = try await messenger.open(message) } catch {
                        content = MessageContent(body: "[cannot be read on this device: \(error)]", format: "unreadable")
                    }
                    lines.append(
                        json
                            ? try JSONLine.encode([
                                "seq": "\(message.seq)", "messageID": message.messageID, "senderID": message.senderID,
                                "sender": sender?.displayName ?? message.senderID, "role": sender?.role ?? "",
                                "sentAt": "\(message.sentAt)", "format": content.format, "text": content.body
                            ])
                            : Transcript.line(message, content: content, sender: sender, isMe: message.senderID == messenger.userID))
                }
                guard let last = page.last, page.count == 200 else { break }
                after = last.seq
            }
            return lines
        }
        for line in lines { print(line) }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export everything Ward holds about you (GDPR Art. 15, 20) as JSON, your messages decrypted on this device.",
        discussion:
            "The document follows docs/export.schema.json: your account, consents, devices, rooms, every message in them as the server holds "
            + "it (encrypted) and, under `decrypted`, the text this device can read; and the accounting of access: every audit entry "
            + "about you (who, in which role, did what, when, under which policies). The file is written mode 0600."
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Where to write the JSON document.") var out: String

    func run() async throws {
        let out = self.out
        let summary = try await connection.withMessenger { try await OwnExport.write(with: $0, to: out) }
        print(summary)
    }
}

/// Reads an answer at the terminal, or takes yes when the person said so on the command line.
private func answer(_ question: String, yes: String?) -> String? {
    print(question, terminator: yes == nil ? " " : "\n")
    if let yes { return yes }
    guard isatty(STDIN_FILENO) == 1 else { return nil }
    return readLine()
}

struct Consent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Your consents (GDPR Art. 7): list them, read a text, give or withdraw one.",
        discussion:
            "`ward consent` lists every purpose and where you stand; `ward consent show PURPOSE` prints the text in force; `ward consent "
            + "grant PURPOSE` prints it and asks (or takes --yes); `ward consent withdraw PURPOSE` takes it back from your next "
            + "request on. Every grant and withdrawal is recorded with the version of the text and the time, and audited."
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "What to do.") var action = ConsentAction.list
    @Argument(help: "The purpose (messaging, record-sharing, appointment-reminders, research).") var purpose: String?
    @Flag(help: "Agree to the text shown without asking (for scripts).") var yes = false

    func validate() throws {
        guard !action.needsPurpose || purpose != nil else { throw ValidationError("name the purpose: ward consent \(action.rawValue) PURPOSE") }
    }

    func run() async throws {
        let (action, purpose, yes) = (self.action, self.purpose, self.yes)
        let lines = try await connection.withSignedIn { connection in
            try await ConsentFlow.run(action, purpose: purpose, on: connection) { text, question in
                for line in text { print(line) }
                return answer(question, yes: yes ? "y" : nil)
            }
        }
        for line in lines { print(line.replacingOccurrences(of: "/consent", with: "ward consent")) }
    }
}

struct Erase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the clinic to erase your account and your messages (GDPR Art. 17).",
        discussion:
            "Files an erasure request; the clinic's privacy officer must act on it within one month. Until then the account works as before. "
            + "What the law requires the clinic to keep (proof of your consents, messages under a legal hold) is kept and listed in "
            + "the erasure receipt. Run it again to see the request's state."
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Do not ask to confirm (for scripts).") var yes = false
    @Option(help: "Anything the privacy officer should know (kept only until the erasure).") var note: String?

    func run() async throws {
        for line in PrivacyText.erasureExplanation { print(line) }
        guard answer(PrivacyText.erasureQuestion + ":", yes: yes ? "erase" : nil)?.lowercased() == "erase" else {
            throw UsageError("no erasure request was filed")
        }
        let request = GDPREraseRequest(note: note)
        let filed = try await connection.withSignedIn { [request] connection in
            try await connection.request(request).erasureRequests
        }
        for request in filed { print(PrivacyText.erasureLine(request)) }
    }
}
