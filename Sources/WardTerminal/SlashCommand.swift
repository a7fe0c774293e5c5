/// What a line typed in the input means: chat text, or one of the client's commands. Nothing
/// that starts with `/` is ever sent as chat, unless doubled (`//text` sends `/text`).
public enum InputLine: Sendable, Equatable {
    case chat(String)
    case command(SlashCommand)
    /// A command that does not exist or lacks what it needs; the message says what to type.
    case invalid(String)
    case empty

    public init(parsing line: String) {
        let trimmed = String(line.drop(while: { $0 == " " }))
        if trimmed.isEmpty {
            self = .empty
        } else if trimmed.hasPrefix("//") {
            self = .chat(String(trimmed.dropFirst()))
        } else if trimmed.hasPrefix("/") {
            self = SlashCommand.parse(String(trimmed.dropFirst()))
        } else {
            self = .chat(line)
        }
    }
}

public enum SlashCommand: Sendable, Equatable {
    case help
    case join(room: String)
    case leave
    case directMessage(user: String)
    case invite(user: String)
    case rooms
    case who
    case me(action: String)
    case urgent(text: String)
    case search(text: String)
    case keys(user: String)
    case passwd
    case export(file: String)
    /// /consent, /consent show|grant|withdraw PURPOSE
    case consent(action: ConsentAction, purpose: String?)
    case erase
    case appointments
    case book(clinician: String)
    case cancel(appointment: String)
    case reschedule(appointment: String)
    case notifications
    case record(patient: String)
    case note(patient: String)
    case breakGlass(patient: String)
    case logout
    case quit

    /// Every command with its usage, for /help and for suggestions.
    public static let usage: [(name: String, usage: String, what: String)] = [
        ("help", "/help", "list the commands"),
        ("join", "/join ROOM", "open a room by name or id, joining it if allowed"),
        ("leave", "/leave", "leave the current room"),
        ("dm", "/dm USER", "a direct conversation with USER"),
        ("invite", "/invite USER", "add USER to the current room"),
        ("rooms", "/rooms", "list your rooms"),
        ("who", "/who", "who is in the current room, and who is online"),
        ("me", "/me ACTION", "say what you are doing (* Name ACTION)"),
        ("urgent", "/urgent TEXT", "send TEXT as urgent: the others are alerted again until they read it"),
        ("search", "/search TEXT", "search the messages decrypted on this device"),
        ("keys", "/keys USER [verify]", "USER's devices and safety numbers; verify marks them checked"),
        ("passwd", "/passwd", "change your password"),
        ("export", "/export FILE", "write everything Ward holds about you to FILE (JSON), your messages decrypted here"),
        ("consent", "/consent [show|grant|withdraw PURPOSE]", "your consents; read, give or withdraw one"),
        ("erase", "/erase", "ask the clinic to erase your account and messages (GDPR Art. 17)"),
        ("appointments", "/appointments", "your upcoming appointments, numbered"),
        ("book", "/book CLINICIAN", "book a free slot with CLINICIAN (username or name)"),
        ("cancel", "/cancel N", "cancel appointment N of /appointments"),
        ("reschedule", "/reschedule N", "move appointment N to another free slot"),
        ("notifications", "/notifications", "your unread notifications (then marked read)"),
        ("record", "/record PATIENT", "read a patient's record (your own: your username)"),
        ("note", "/note PATIENT", "add a note to a patient's record"),
        ("breakglass", "/breakglass PATIENT", "declare an emergency access to a record outside your care team"),
        ("logout", "/logout", "end this session"),
        ("quit", "/quit or /q", "leave ward (asks to confirm)")
    ]

    static func parse(_ text: String) -> InputLine {
        let name = String(text.prefix { $0 != " " }).lowercased()
        let argument = String(text.dropFirst(name.count).drop(while: { $0 == " " }))
        func needing(_ make: (String) -> SlashCommand) -> InputLine {
            guard !argument.isEmpty else {
                let usage = usage.first { $0.name == name }?.usage ?? "/\(name)"
                return .invalid("usage: \(usage)")
            }
            return .command(make(argument))
        }
        func alone(_ command: SlashCommand) -> InputLine {
            argument.isEmpty ? .command(command) : .invalid("/\(name) takes nothing after it")
        }
        switch name {
        case "help", "?": return alone(.help)
        case "join": return needing { .join(room: $0) }
        case "leave", "part": return alone(.leave)
        case "dm", "msg", "query": return needing { .directMessage(user: $0) }
        case "invite": return needing { .invite(user: $0) }
        case "rooms": return alone(.rooms)
        case "who", "names": return alone(.who)
        case "me": return needing { .me(action: $0) }
        case "urgent": return needing { .urgent(text: $0) }
        case "search": return needing { .search(text: $0) }
        case "keys": return needing { .keys(user: $0) }
        case "passwd", "password": return alone(.passwd)
        case "export": return needing { .export(file: $0) }
        case "consent", "consents":
            let words = argument.split(separator: " ").map(String.init)
            switch (words.first?.lowercased(), words.count) {
            case (nil, _), ("list", 1): return .command(.consent(action: .list, purpose: nil))
            case (let word?, 2):
                guard let action = ConsentAction(rawValue: word), action.needsPurpose else { fallthrough }
                return .command(.consent(action: action, purpose: words[1]))
            default: return .invalid("usage: /consent, or /consent show|grant|withdraw PURPOSE")
            }
        case "erase": return alone(.erase)
        case "appointments", "appts": return alone(.appointments)
        case "book": return needing { .book(clinician: $0) }
        case "cancel": return needing { .cancel(appointment: $0) }
        case "reschedule", "move": return needing { .reschedule(appointment: $0) }
        case "notifications": return alone(.notifications)
        case "record": return needing { .record(patient: $0) }
        case "note": return needing { .note(patient: $0) }
        case "breakglass": return needing { .breakGlass(patient: $0) }
        case "logout": return alone(.logout)
        case "q", "quit", "exit": return alone(.quit)
        default:
            let closest = usage.map(\.name).map { ($0, distance($0, name)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
            let suggestion = name.isEmpty ? "" : closest.map { " (did you mean /\($0.0)?)" } ?? ""
            return .invalid("unknown command /\(name)\(suggestion); /help lists the commands")
        }
    }
}

/// Edits (insert, delete, replace) between two words: how close a mistyped command is.
func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(1, b.count) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
