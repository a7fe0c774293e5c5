import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol
import WardTerminal

/// `ward appointments …`: appointments without a screen.
struct Appointments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Your appointments: list, find free slots, book, move, cancel; clinicians confirm, complete and mark no-shows; export to a calendar.",
        discussion:
            "Times are shown in this terminal's time zone (TZ). A start is given as the number of a free slot from `ward appointments "
            + "slots`, or as an ISO 8601 time with its zone (2026-12-01T09:30:00+01:00). An appointment is named by its number in "
            + "`ward appointments list` or its id (appt:…).",
        subcommands: [
            List.self, Clinicians.self, Slots.self, Book.self, Reschedule.self, Cancel.self, Show.self, Confirm.self, Complete.self,
            NoShow.self, Calendar.self
        ],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upcoming appointments (a patient's own, or a clinician's schedule).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Someone else's: a patient or clinician user id (staff, as the policies allow).") var of: String?

        func run() async throws {
            let of = self.of
            let appointments = try await connection.withSignedIn { connection in
                try await connection.request(AppointmentList(userID: of)).appointments
            }
            if appointments.isEmpty { print("no upcoming appointments") }
            for (index, appointment) in appointments.enumerated() { print(ScheduleText.appointment(appointment, number: index + 1)) }
        }
    }

    struct Clinicians: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The clinicians who can be booked.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let clinicians = try await connection.withSignedIn { connection in
                try await connection.request(AvailabilityClinicians()).users
            }
            if clinicians.isEmpty { print("no clinician publishes availability yet") }
            for clinician in clinicians { print("\(MessageFormat.safe(clinician.displayName)) (\(clinician.role), \(clinician.username))") }
        }
    }

    struct Slots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A clinician's free slots, numbered for `book` and `reschedule`.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The clinician: username, display name or user id.") var clinician: String
        @Option(help: "How many days ahead (1-62).") var days: Int = 14

        func validate() throws { guard (1...62).contains(days) else { throw ValidationError("--days must be 1-62") } }

        func run() async throws {
            let (clinician, days) = (self.clinician, self.days)
            let slots = try await connection.withSignedIn { connection in
                try await Scheduling.slots(of: try await Scheduling.clinician(clinician, on: connection).userID, days: days, on: connection)
            }
            if slots.isEmpty { print("no free slots in the next \(days) days") }
            for (index, slot) in slots.enumerated() { print(ScheduleText.slot(slot, number: index + 1)) }
        }
    }

    struct Book: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Book a free slot with a clinician (for yourself, or for a patient as staff).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The clinician: username, display name or user id.") var clinician: String
        @Argument(help: "The slot's number in `ward appointments slots`, or an ISO 8601 time with its zone.") var start: String
        @Option(help: "The patient's user id, when staff book for a patient.") var patient: String?
        @Option(help: "Why (seen only by the patient and the clinicians, never the front desk).") var reason: String?
        @Option(help: "How many days ahead slot numbers count (as in `slots`).") var days: Int = 14

        func run() async throws {
            let (clinician, start, patient, reason, days) = (self.clinician, self.start, self.patient, self.reason, self.days)
            let booked = try await connection.withSignedIn { connection -> AppointmentInfo? in
                let found = try await Scheduling.clinician(clinician, on: connection)
                let slot = try Scheduling.start(start, in: try await Scheduling.slots(of: found.userID, days: days, on: connection))
                return try await connection.request(AppointmentBook(clinicianID: found.userID, patientID: patient, reason: reason, startsAt: slot))
                    .appointment
            }
            if let booked { print("booked: " + ScheduleText.appointment(booked)) }
        }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an appointment to another free slot of the same clinician.")
        @OptionGroup var target: AppointmentTarget
        @Argument(help: "The new slot's number in `slots` for the same clinician, or an ISO 8601 time.") var start: String

        func run() async throws {
            let (appointment, start) = (target.appointment, self.start)
            let moved = try await target.connection.withSignedIn { connection -> AppointmentInfo? in
                let id = try await Scheduling.appointmentID(appointment, on: connection)
                let clinicianID = try await connection.request(NamedAppointment<AppointmentShow>(appointmentID: id)).appointment.clinicianID
                let slot = try Scheduling.start(start, in: try await Scheduling.slots(of: clinicianID, days: 14, on: connection))
                return try await connection.request(AppointmentReschedule(appointmentID: id, startsAt: slot)).appointment
            }
            if let moved { print("moved: " + ScheduleText.appointment(moved)) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an appointment (the slot is free again).")
        @OptionGroup var target: AppointmentTarget
        func run() async throws { try await target.change({ NamedAppointment<AppointmentCancel>(appointmentID: $0) }, saying: "cancelled") }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One appointment, with the reason when you may read it.")
        @OptionGroup var target: AppointmentTarget
        func run() async throws { try await target.change({ NamedAppointment<AppointmentShow>(appointmentID: $0) }, saying: "appointment") }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a requested appointment on your schedule (clinicians).")
        @OptionGroup var target: AppointmentTarget
        func run() async throws { try await target.change({ AppointmentUpdate(appointmentID: $0, status: "confirmed") }, saying: "confirmed") }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a confirmed appointment as held (clinicians).")
        @OptionGroup var target: AppointmentTarget
        func run() async throws { try await target.change({ AppointmentUpdate(appointmentID: $0, status: "completed") }, saying: "completed") }
    }

    struct NoShow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "no-show", abstract: "Mark a confirmed appointment as missed (clinicians).")
        @OptionGroup var target: AppointmentTarget
        func run() async throws { try await target.change({ AppointmentUpdate(appointmentID: $0, status: "noShow") }, saying: "marked as missed") }
    }

    struct Calendar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ics",
            abstract: "Write your upcoming appointments as an iCalendar file (RFC 5545) for a calendar application.",
            discussion: "The events name the clinician, the time and the place, never the reason. The file is written mode 0600."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Where to write the .ics file.") var out: String

        func run() async throws {
            let appointments = try await connection.withSignedIn { try await Scheduling.upcoming(on: $0) }
            try UserFiles.writePrivate(Data(ICalendar.document(appointments).utf8), atPath: out)
            print("\(appointments.count) appointment(s) → \(out)")
        }
    }
}

/// `ward availability …`: clinicians publish when they see patients.
struct Availability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "When you see patients (clinicians): weekly hours in the clinic's time zone, and one-off open or closed blocks.",
        subcommands: [List.self, Add.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Your availability entries.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let entries = try await connection.withSignedIn { connection in
                try await connection.request(AvailabilityList()).availability
            }
            if entries.isEmpty { print("no availability published") }
            let days = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
            for entry in entries {
                let when: String
                if entry.kind == "weekly", let day = entry.weekday, let start = entry.startMinute, let end = entry.endMinute {
                    when = String(format: "every %@ %02d:%02d-%02d:%02d (clinic time)", days[day], start / 60, start % 60, end / 60, end % 60)
                } else {
                    when =
                        "\(entry.kind) "
                        + ScheduleText.slot(SlotInfo(startsAt: entry.startsAt ?? 0, endsAt: entry.endsAt ?? 0, location: ""), number: 0)
                        .dropFirst(3)
                }
                print("\(entry.availabilityID)  \(when)  \(entry.slotMinutes)-minute slots  \(MessageFormat.safe(entry.location))")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add weekly hours (--weekly mon 09:00-12:00) or a one-off block (--open or --closed FROM UNTIL, ISO 8601 times)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(parsing: .upToNextOption, help: "A weekday (mon … sun) and HH:MM-HH:MM in the clinic's time zone.") var weekly: [String] = []
        @Option(parsing: .upToNextOption, help: "Extra hours: FROM UNTIL (ISO 8601 with zone).") var open: [String] = []
        @Option(parsing: .upToNextOption, help: "Time off: FROM UNTIL (ISO 8601 with zone).") var closed: [String] = []
        @Option(help: "Minutes per appointment (5-480).") var slot: Int = 30
        @Option(help: "Where.") var location: String = "Clinic"

        func run() async throws {
            var request = AvailabilityAdd(kind: "weekly", slotMinutes: slot, location: location)
            switch (weekly.count, open.count, closed.count) {
            case (2, 0, 0):
                let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                guard let day = days.firstIndex(of: String(weekly[0].lowercased().prefix(3))) else {
                    throw ValidationError("the weekday is mon … sun")
                }
                let times = weekly[1].split(separator: "-").map(String.init)
                guard times.count == 2, let start = Self.minutes(times[0]), let end = Self.minutes(times[1]) else {
                    throw ValidationError("hours are HH:MM-HH:MM, for example 09:00-12:30")
                }
                request.kind = "weekly"
                (request.weekday, request.startMinute, request.endMinute) = (day + 1, start, end)
            case (0, 2, 0), (0, 0, 2):
                let pair = open.isEmpty ? closed : open
                let formatter = ISO8601DateFormatter()
                guard let from = formatter.date(from: pair[0]), let until = formatter.date(from: pair[1]) else {
                    throw ValidationError("times are ISO 8601 with a zone, for example 2026-12-24T09:00:00+01:00")
                }
                request.kind = open.isEmpty ? "closed" : "open"
                (request.startsAt, request.endsAt) = (Int64(from.timeIntervalSince1970), Int64(until.timeIntervalSince1970))
            default:
                throw ValidationError("give one of --weekly DAY HH:MM-HH:MM, --open FROM UNTIL or --closed FROM UNTIL")
            }
            let added = request
            let entries = try await connection.withSignedIn { try await $0.request(added).availability }
            print("added; \(entries.count) availability entr\(entries.count == 1 ? "y" : "ies") now (ward availability lists them)")
        }

        static func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, (0...24).contains(parts[0]), (0..<60).contains(parts[1]) else { return nil }
            return parts[0] * 60 + parts[1]
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an availability entry (booked appointments stay).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry's number in `ward availability`.") var entry: Int

        func run() async throws {
            let removal = AvailabilityRemove(availabilityID: entry)
            _ = try await connection.withSignedIn { try await $0.request(removal) }
            print("removed entry \(entry)")
        }
    }
}

/// `ward notifications`: what Ward told you.
struct Notifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Your notifications: unread ones (or --all), newest first; --read marks them read; --off/--on KIND chooses what you receive.",
        discussion:
            "Kinds: \(NotificationKind.names). Reminders for patients also need consent (ward consent grant "
            + "appointment-reminders). Texts never hold a message's words or why a visit is."
    )
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Read ones too.") var all = false
    @Flag(help: "Mark every unread one read.") var read = false
    @Option(help: "Stop receiving this kind.") var off: NotificationKind?
    @Option(help: "Receive this kind again.") var on: NotificationKind?

    func run() async throws {
        let (all, read, off, on) = (self.all, self.read, self.off, self.on)
        let reply = try await connection.withSignedIn { connection -> Reply.Notifications in
            if let kind = off ?? on {
                _ = try await connection.request(NotificationSettings(kind: kind.rawValue, enabled: on != nil))
            }
            let listed = try await connection.request(ConversationRequest.notifications(all: all))
            if read { _ = try await connection.request(NotificationRead()) }
            return listed
        }
        let notifications = reply.notifications
        if notifications.isEmpty { print(all ? "no notifications" : "no unread notifications") }
        for notification in notifications { print(ScheduleText.notification(notification)) }
        if !reply.mutedKinds.isEmpty { print("turned off: " + reply.mutedKinds.joined(separator: ", ")) }
        if read, !notifications.isEmpty { print("marked read") }
    }
}

/// Requests the commands and the screen both make.
enum ConversationRequest {
    static func notifications(all: Bool) -> Listing<NotificationList> {
        Listing<NotificationList>(kind: all ? "all" : nil)
    }
}

/// What the commands that act on one appointment take: the connection and the appointment.
struct AppointmentTarget: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The appointment: its number in `list` or its id.") var appointment: String

    /// Sends the request `payload` makes for the appointment and prints its answer after `verb`.
    func change<Payload: RequestPayload>(_ payload: @escaping @Sendable (_ appointmentID: String) -> Payload, saying verb: String) async throws
    where Payload.Answer == Reply.Appointment {
        let appointment = self.appointment
        let changed = try await connection.withSignedIn { connection -> AppointmentInfo in
            try await connection.request(payload(try await Scheduling.appointmentID(appointment, on: connection))).appointment
        }
        print("\(verb): " + ScheduleText.appointment(changed))
    }
}
