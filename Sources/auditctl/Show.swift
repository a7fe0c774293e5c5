import ArgumentParser
import Foundation
import WardAudit
import WardCommandLine
import WardCrypto

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List entries, filtered, as a table or as JSON lines.",
        discussion: """
            Reads entries without verifying them: run 'auditctl verify' first to know they are \
            authentic. Filters combine (all must match). Times are UTC.
            """
    )

    @Argument(help: "The audit log directory.")
    var directory: String

    @Option(help: "Only entries by this actor id.")
    var actor: String?
    @Option(help: "Only entries about this subject id (whose data).")
    var subject: String?
    @Option(help: "Only this action (create, read, update, delete, execute).")
    var action: AuditEvent.Action?
    @Option(help: "Only this outcome.")
    var outcome: AuditEvent.Outcome?
    @Option(help: "Only this event type (e.g. auth.login).")
    var event: String?
    @Option(help: "Only entries at or after this time (ISO 8601, e.g. 2026-11-25 or 2026-11-25T10:00:00Z).")
    var since: String?
    @Option(help: "Only entries before this time (ISO 8601).")
    var until: String?
    @Option(help: "Stop after this many matching entries.")
    var limit: Int?
    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    func validate() throws {
        if let since, Timestamps.parse(since) == nil { throw ValidationError("--since is not an ISO 8601 date or time") }
        if let until, Timestamps.parse(until) == nil { throw ValidationError("--until is not an ISO 8601 date or time") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let reader = try Files.reader(directory)
        let (wantedAction, wantedOutcome) = (action, outcome)
        let from = since.flatMap(Timestamps.parse), to = until.flatMap(Timestamps.parse)
        var rows: [[String]] = []
        var matched = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Done: Error {}
        do {
            try reader.forEachEntry { entry, _ in
                let e = entry.event
                if let actor, e.actorID != actor { return }
                if let subject, e.subjectID != subject { return }
                if let wantedAction, e.action != wantedAction { return }
                if let wantedOutcome, e.outcome != wantedOutcome { return }
                if let event, e.type != event { return }
                if let from, entry.timeMicros < from { return }
                if let to, entry.timeMicros >= to { return }
                if json {
                    let data = try encoder.encode(EntryJSON(entry))
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    rows.append(Self.row(entry))
                }
                matched += 1
                if let limit, matched >= limit { throw Done() }
            }
        } catch is Done {
        } catch let error as AuditLogError {
            if !json { Self.printTable(rows) }
            throw UsageError("\(error)")
        }
        if !json { Self.printTable(rows) }
    }

    static let headers = ["SEQ", "TIME (UTC)", "EVENT", "A", "OUTCOME", "ACTOR", "ROLE", "OBJECT", "SUBJECT", "PURPOSE", "DECISION", "POLICIES"]

    static func row(_ entry: AuditEntry) -> [String] {
        let e = entry.event
        let object = e.objectType.isEmpty && e.objectID.isEmpty ? "-" : "\(e.objectType):\(e.objectID)"
        return [
            "\(entry.seq)", Timestamps.format(entry.timeMicros), e.type, e.action.code, e.outcome.name, e.actorID, e.actorRole,
            object, e.subjectID.isEmpty ? "-" : e.subjectID, e.purpose.isEmpty ? "-" : e.purpose, e.decision.name,
            e.policyIDs.isEmpty ? "-" : e.policyIDs.joined(separator: ",")
        ]
    }

    static func printTable(_ rows: [[String]]) {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            print(cells.joined(separator: "  "))
        }
    }
}

/// An entry as one JSON object (audit/FORMAT.md §12 names the fields).
struct EntryJSON: Encodable {
    let seq: UInt64
    let time: String
    let time_us: UInt64
    let previous: String
    let source: String
    let event: String
    let action: String
    let outcome: String
    let actor_id: String
    let actor_role: String
    let object_type: String
    let object_id: String
    let subject_id: String
    let purpose: String
    let decision: String
    let policy_ids: [String]
    let policy_set_hash: String?
    let commitments: [String]
    let details: [String: String]

    init(_ entry: AuditEntry) {
        let e = entry.event
        seq = entry.seq
        time = Timestamps.format(entry.timeMicros)
        time_us = entry.timeMicros
        previous = entry.previous.hex
        source = entry.source
        event = e.type
        action = e.action.code
        outcome = e.outcome.name
        actor_id = e.actorID
        actor_role = e.actorRole
        object_type = e.objectType
        object_id = e.objectID
        subject_id = e.subjectID
        purpose = e.purpose
        decision = e.decision.name
        policy_ids = e.policyIDs
        policy_set_hash = e.policySetHash?.hex
        commitments = e.commitments.map(\.hex)
        details = e.details
    }
}

/// UTC timestamps in microseconds since the epoch, shown and parsed as ISO 8601.
enum Timestamps {
    static func format(_ micros: UInt64) -> String {
        let seconds = micros / 1_000_000, fraction = micros % 1_000_000
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let base = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let digits = String(fraction)
        return base.dropLast() + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 time, to microseconds.
    static func parse(_ text: String) -> UInt64? {
        let full = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = full.date(from: text) ?? fractional.date(from: text) ?? day.date(from: text),
            date.timeIntervalSince1970 >= 0
        else { return nil }
        return UInt64(date.timeIntervalSince1970 * 1_000_000)
    }
}
