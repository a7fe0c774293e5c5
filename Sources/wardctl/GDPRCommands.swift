import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol
import WardPersonalData

/// `wardctl gdpr`: the privacy officer's duties under the GDPR.
struct GDPRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gdpr",
        abstract: "The GDPR duties: the record of processing activities, access exports, erasure requests and legal holds.",
        subcommands: [Register.self, Export.self, Request.self, Requests.self, Erase.self, HoldCommand.self, Purge.self]
    )

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the record of processing activities (Art. 30): every kind of personal data Ward stores.",
            discussion:
                "For each kind: its purpose, legal basis, how it is exported and erased, how long it is kept, and what can hold it back from "
                + "erasure. It is generated from the registry the server's export and erasure use "
                + "(Sources/WardPersonalData/PersonalData.swift), so it cannot drift from what the server does."
        )

        @Flag(help: "The registry as JSON instead of text.") var json = false

        func run() throws {
            if json {
                let encoder = JSONEncoder.document
                print(String(decoding: try encoder.encode(PersonalData.kinds), as: UTF8.self))
            } else {
                print(PersonalData.record())
            }
        }
    }
}

extension GDPRCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export everything Ward holds about a person (GDPR Art. 15, 20), as JSON (docs/export.schema.json).",
            discussion:
                "Needs a privacy officer's session (wardctl login). Messages stay the ciphertext the server holds, with their metadata; the "
                + "person's own device decrypts them in their own export. The export and every page of it are audited. The file is "
                + "written mode 0600: it holds personal data."
        )

        @Argument(help: "The person: a username, or a user id (user:…) for an account that is disabled or erased.") var user: String
        @Option(help: "Where to write the JSON document.") var out: String

        func run() async throws {
            let user = self.user
            let document = try await withSession { connection -> ExportDocument in
                try await connection.exportSubject(userID: try await userIDFromDirectory(of: user, on: connection))
            }
            let encoder = JSONEncoder.document
            try UserFiles.writePrivate(try encoder.encode(document), atPath: out)
            print(
                "exported \(document.subjectID): \(document.rooms.count) rooms, \(document.messages.count) messages, "
                    + "\(document.access.count) access records → \(out)"
            )
        }
    }
}

/// The user id of `person`: a user id as given, a username looked up (exact match, active accounts).
func userIDFromDirectory(of person: String, on connection: WardConnection) async throws -> String {
    if person.hasPrefix("user:") { return person }
    guard let found = try? await connection.request(UserFind(username: person)).users.first else {
        throw UsageError("no active account is called \(person); give the user id (user:…) of a disabled account")
    }
    return found.userID
}

/// Seconds since 1970 as an ISO 8601 time in UTC.
func utc(_ seconds: Int64) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}

extension GDPRCommand {
    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "File an erasure request (GDPR Art. 17) for a person who asked in writing or in person.",
            discussion:
                "People file their own with `ward erase`. The request is due one month after it is filed (Art. 12(3)); `wardctl gdpr "
                + "requests` lists it until it is executed with `wardctl gdpr erase`. A person has one pending request at a time: "
                + "filing again shows the pending one."
        )
        @Argument(help: "The person: a username or a user id (user:…).") var user: String

        func run() async throws {
            let user = self.user
            let filed = try await withSession { connection in
                let request = GDPREraseRequest(userID: try await userIDFromDirectory(of: user, on: connection))
                return try await connection.request(request).erasureRequests
            }
            for request in filed {
                print(
                    "request \(request.requestID) for \(request.userID): filed \(utc(request.requestedAt)), due \(utc(request.dueAt)), "
                        + "\(request.status)"
                )
            }
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requests",
            abstract: "List erasure requests: pending ones by deadline, overdue ones marked.",
            discussion:
                "Columns: request number, the person's user id, who filed it, when, the deadline, the status (open, erasing — started and "
                + "cut short: run the erasure again —, done). Exit status 1 when any pending request is overdue, so a scheduled check "
                + "can alert."
        )
        @Flag(help: "Include executed requests.") var all = false

        func run() async throws {
            let all = self.all
            let requests = try await withSession { connection in
                try await connection.request(Listing<GDPRRequests>(kind: all ? "all" : nil)).erasureRequests
            }
            if requests.isEmpty { print(all ? "no erasure requests" : "no pending erasure requests") }
            for request in requests {
                let done = request.completedAt.map { " on \(utc($0))" } ?? ""
                print(
                    "\(request.requestID)\t\(request.userID)\tfiled by \(request.requestedBy) \(utc(request.requestedAt))\tdue "
                        + "\(utc(request.dueAt))\t\(request.status)\(done)\(request.overdue ? "\tOVERDUE" : "")"
                )
                if let note = request.note { print("\tnote: " + note.replacingOccurrences(of: "\n", with: "\n\t      ")) }
            }
            if requests.contains(where: \.overdue) { throw ExitCode(1) }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a person (GDPR Art. 17) and print the receipt.",
            discussion: """
                Needs a privacy officer's session with a second factor. Everything the registry (wardctl gdpr register) lets erase is \
                erased: sessions, devices, keys, second factor, care-team links and room memberships are deleted; the messages the person \
                wrote are crypto-shredded (their keys destroyed, so copies in backups are unreadable) and deleted; the account keeps only \
                its opaque id and role, which the audit log's documentation needs. Kept, and listed in the receipt with the legal basis: \
                consent records, erasure requests, messages in conversations under a legal hold. A legal hold on the person refuses the \
                erasure until it is released.

                A pending request is completed; without one, a request is filed by the officer and completed at once. If the erasure is cut \
                short, the request stays `erasing`: run the command again to finish it. The receipt holds ids and counts only; --receipt \
                writes it as JSON (0600).
                """
        )
        @Argument(help: "The person: a username, or a user id (user:…) for a disabled account.") var user: String
        @Option(help: "Also write the receipt as JSON to this file.") var receipt: String?

        func run() async throws {
            let user = self.user
            let reply = try await withSession { connection in
                try await connection.request(GDPRErase(userID: try await userIDFromDirectory(of: user, on: connection)))
            }
            if let waiting = reply.approvals?.first {
                print(ApprovalsCommand.waiting(waiting))
                return
            }
            guard let receipt = reply.erasureReceipt else { throw UsageError("the server's reply held no receipt") }
            print("erased \(receipt.subjectID) (request \(receipt.requestID), due \(utc(receipt.dueAt)), executed \(utc(receipt.executedAt)))")
            for item in receipt.items {
                print("  \(item.action)\t\(item.count)\t\(item.name)\(item.legalBasis.map { "\t— \($0)" } ?? "")")
            }
            print(
                "  data keys destroyed: \(receipt.keysDestroyed); audit texts erased: \(receipt.auditTombstones); decision: audit entry "
                    + "\(receipt.auditSeq)"
            )
            if let path = self.receipt {
                let encoder = JSONEncoder.document
                try UserFiles.writePrivate(try encoder.encode(receipt), atPath: path)
                print("receipt → \(path)")
            }
        }
    }
}

extension GDPRCommand {
    struct HoldCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold",
            abstract: "Legal holds: keep a person's data, or a conversation, from erasure and from the retention job.",
            subcommands: [Place.self, Release.self, List.self]
        )

        struct Place: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Place a legal hold on a person or a conversation (Art. 17(3)(e)).")
            @Option(help: "The person: a username or a user id (user:…).") var user: String?
            @Option(help: "The conversation: a room id (room:…).") var room: String?
            @Option(help: "The matter the hold is for: a case or file reference (1-200 characters).") var reference: String

            func validate() throws {
                guard (user == nil) != (room == nil) else { throw ValidationError("give either --user or --room") }
            }

            func run() async throws {
                let (user, room, reference) = (self.user, self.room, self.reference)
                let holds = try await withSession { connection in
                    var request = GDPRHoldPlace(reference: reference, roomID: room)
                    if let user { request.userID = try await userIDFromDirectory(of: user, on: connection) }
                    return try await connection.request(request).legalHolds
                }
                if let placed = holds.last { print("placed hold \(placed.holdID)") }
            }
        }

        struct Release: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Release a legal hold; the held data is then subject to erasure and retention again.")
            @Argument(help: "The hold's number (wardctl gdpr hold list).") var hold: Int

            func run() async throws {
                let hold = self.hold
                try await withSession { connection in
                    _ = try await connection.request(GDPRHoldRelease(holdID: hold))
                }
                print("released hold \(hold)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the legal holds in force (with --all, released ones too).")
            @Flag(help: "Include released holds.") var all = false

            func run() async throws {
                let all = self.all
                let holds = try await withSession { connection in
                    try await connection.request(Listing<GDPRHolds>(kind: all ? "all" : nil)).legalHolds
                }
                if holds.isEmpty { print("no legal holds") }
                for hold in holds {
                    let released = hold.releasedAt.map { "\treleased \(utc($0))" } ?? ""
                    print(
                        "\(hold.holdID)\t\(hold.userID ?? hold.roomID ?? "")\tplaced by \(hold.placedBy) "
                            + "\(utc(hold.placedAt))\t\(hold.reference)\(released)"
                    )
                }
            }
        }
    }
}

extension GDPRCommand {
    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the retention job now and print its purge receipt.",
            discussion:
                "The server runs the job by itself every hour (ward-server --retention-minutes). It removes sessions past their limits, "
                + "messages older than the messaging retention period (ward-server --message-retention-days, ten years by default), "
                + "withdrawn consents, executed erasure requests and released holds after six years, and notifications 90 days after "
                + "they were read — except what a legal hold keeps. Each run writes a `retention.purge` audit entry with the counts "
                + "and the SHA-256 of the removed rows' keys; `remaining` counts expired rows still there (0 unless the purge failed, "
                + "which also makes this command fail)."
        )

        func run() async throws {
            let receipt = try await withSession { try await $0.request(GDPRPurge()).purgeReceipt }
            print("retention run \(utc(receipt.ranAt)), audit entry \(receipt.auditSeq)")
            for item in receipt.items {
                print("  \(item.table)\t\(item.purged) removed (older than \(utc(item.cutoff)))\(item.purged > 0 ? "\tsha256 \(item.sha256)" : "")")
            }
            print("  expired but still there: \(receipt.remaining)")
            if receipt.remaining > 0 { throw ExitCode(1) }
        }
    }
}
