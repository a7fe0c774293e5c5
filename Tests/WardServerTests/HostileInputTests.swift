import Foundation
import Testing
import WardAudit
import WardClient
import WardProtocol
@testable import WardServer
import WardStore
import WardTestSupport

/// What signed-in people can send: every request type of the server's table (`RequestType`),
/// with every integer field at the edges of Int64 and every string field hostile. One request
/// that traps ends the process, which is a denial of service for the whole clinic (issue 16,
/// item 2): after all of it the server still answers and its audit log verifies.
@Suite("Hostile input from signed-in people", .serialized)
struct HostileInputTests {
    typealias Member = ConversationTests.Member

    /// The fields of `ClientRequest` whose values are of type `T?`, read from the type itself.
    static func fields<T>(of _: T.Type) -> [String] {
        Mirror(reflecting: ClientRequest(id: 0, unlistedType: "")).children.compactMap { child in
            type(of: child.value) == Optional<T>.self ? child.label : nil
        }
    }

    /// A frame with every field a request may carry (`ClientRequest`'s) set to a value of its type.
    static func everyFieldFrame() throws -> Data {
        let key = String(repeating: "A", count: 44)
        var object: [String: Any] = [
            "id": 1, "type": "ping", "keys": [], "keyBackups": [], "members": [],
            "device": ["deviceID": "d", "userID": "u", "suites": [], "encryptionKey": key, "signingKey": key, "signature": key],
            "envelope": ["suite": "s", "keyID": "k", "iteration": 0, "nonce": key, "ciphertext": key, "signature": key]
        ]
        for name in fields(of: String.self) where name != "type" { object[name] = "x" }
        for name in fields(of: Int.self) { object[name] = 1 }
        for name in fields(of: Int64.self) { object[name] = 1_800_000_000 }
        for name in fields(of: Bool.self) { object[name] = true }
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// Every field of each request's payload, read from the payload types the server decodes
    /// (`RequestRoute.payloadType`, each decoded from `everyFieldFrame`), so that a field added
    /// later is covered without editing the tests that use it.
    static func fieldsByRequest() throws -> [RequestType: [(name: String, value: Any)]] {
        let frame = try everyFieldFrame()
        func decode<Payload: RequestPayload>(_: Payload.Type) throws -> any RequestPayload {
            try JSONDecoder().decode(Payload.self, from: frame)
        }
        var fields: [RequestType: [(name: String, value: Any)]] = [:]
        for type in RequestType.allCases {
            guard let payloadType = RequestRoute.table[type]?.payloadType else { continue }
            fields[type] = Mirror(reflecting: try decode(payloadType)).children.map { (name: $0.label ?? "", value: $0.value) }
        }
        return fields
    }

    /// Every field of every request's payload.
    static func payloadFields() throws -> [(name: String, value: Any)] { try fieldsByRequest().values.flatMap { $0 } }

    @Test func everyIntegerFieldHasARange() throws {
        let fields = try Self.payloadFields()
        let integerTypes: [Any.Type] = [Int.self, Int?.self, Int64.self, Int64?.self]
        let integers = Set(fields.filter { field in integerTypes.contains { $0 == type(of: field.value) } }.map(\.name))
            .subtracting(["version"])
        let ranged = Set(WireRanges.timeFields + WireRanges.countFields)
        #expect(integers == ranged, "every integer field of a request is range-checked before any handler computes with it")
        #expect(!integers.isEmpty)
        let catalogue = Set(Mirror(reflecting: ClientRequest(id: 0, unlistedType: "")).children.compactMap(\.label))
        #expect(Set(fields.map(\.name)).isSubset(of: catalogue), "the tests' ClientRequest carries every field of every payload")
    }

    /// What the server's frame decoding (`IncomingRequest`) finds of `request`'s ranges.
    struct RangeCheck: Decodable {
        let violation: String?
        init(from decoder: any Decoder) throws { violation = WireRanges.violation(in: decoder) }
    }

    static func violation(in request: ClientRequest) throws -> String? {
        try JSONDecoder().decode(RangeCheck.self, from: JSONEncoder().encode(request)).violation
    }

    @Test func outOfRangeIntegersAreNamedInTheError() throws {
        var request = ClientRequest(id: 1, type: .appointmentSlots)
        request.startsAt = Int64.min
        #expect(try Self.violation(in: request)?.hasPrefix("startsAt must be a time") == true)
        request.startsAt = 1_800_000_000
        request.limit = -1
        #expect(try Self.violation(in: request)?.hasPrefix("limit must be a whole number") == true)
        request.limit = 50
        #expect(try Self.violation(in: request) == nil)
    }

    /// Requests that would end the test's own sessions or undo its set-up; every other type of
    /// the table is sent.
    static let leftOut: Set<RequestType> = [
        .logout, .passwordChange, .careTeamRemove, .roomLeave, .gdprErase, .userResetPassword,
        .userResetSecondFactor, .userDisable
    ]

    static let edges: [Int64] = [.min, .max, -1, 0]

    /// One request type with integer fields at the edges: each field alone, all at once, and the
    /// two times crossed (the pair that trapped in `endsAt - startsAt`).
    static func integerVariants(of base: ClientRequest) throws -> [ClientRequest] {
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(base)) as? [String: Any])
        func variant(_ values: [String: Int64]) throws -> ClientRequest {
            let changed = object.merging(values.mapValues { Int($0) }) { $1 }
            return try JSONDecoder().decode(ClientRequest.self, from: JSONSerialization.data(withJSONObject: changed))
        }
        let names = WireRanges.timeFields + WireRanges.countFields
        var variants: [ClientRequest] = []
        for value in edges {
            variants += try names.map { try variant([$0: value]) }
            variants.append(try variant(Dictionary(uniqueKeysWithValues: names.map { ($0, value) })))
        }
        for (start, end) in [(Int64.min, Int64.max), (Int64.max, Int64.min), (0, Int64.max)] {
            variants.append(try variant(["startsAt": start, "endsAt": end]))
        }
        return variants
    }

    static let hostileStrings = [
        "", "\u{0}", "\u{202E}evil\u{200B}", "\u{3164}", String(repeating: "\u{301}", count: 200), "../../etc/passwd",
        "%s%n", "entry:JaneDoe", "room:\u{FEFF}x", "😀" + String(repeating: "x", count: 1_000)
    ]

    /// One request type with every string field set to a hostile string at once; then once with
    /// nesting where a list is expected and a number too large for any integer type.
    static func stringVariants(of base: ClientRequest) throws -> [String] {
        let names = fields(of: String.self).filter { $0 != "type" }
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(base)) as? [String: Any])
        func text(_ object: [String: Any]) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) }
        var variants = try hostileStrings.map { hostile in
            var hostileObject = object
            for name in names { hostileObject[name] = hostile }
            return try text(hostileObject)
        }
        var nested = object
        nested["members"] = [[[["x"]]]]
        nested["seq"] = 1e300
        variants.append(try text(nested))
        return variants
    }

    @Test func extremeIntegersAndHostileStringsInEveryRequestLeaveTheServerServing() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(server, [("dr.ann", "Doctor"), ("pat.pia", "Patient")])
        let (ann, pia) = (people[0], people[1])
        let start = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        try await ErasureTests.signedIn(server, admin) { (a: WardConnection) async throws in
            try await a.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        let roomID = try await ErasureTests.signedIn(server, ann) { (d: WardConnection) async throws -> String in
            try await d.request(
                ConversationTests.request(.availabilityAdd) {
                    $0.kind = "open"; $0.startsAt = start; $0.endsAt = start + 3600
                })
            return try await d.request(
                ConversationTests.request(.roomCreate) {
                    $0.kind = "staff"; $0.name = "Ward 3"
                }
            ).room?.roomID ?? ""
        }
        let appointmentID = try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws -> String in
            try await p.request(
                ConversationTests.request(.appointmentBook) {
                    $0.clinicianID = ann.userID; $0.startsAt = start
                }
            ).appointment?
            .appointmentID ?? ""
        }
        // Every field that names something names something real, so that requests get past
        // their look-ups to the arithmetic behind them.
        let types = RequestType.allCases.filter { !Self.leftOut.contains($0) && $0 != .hello && $0 != .login && $0 != .resume }
        let bases = types.map { type in
            ConversationTests.request(type, room: roomID) {
                $0.clinicianID = ann.userID; $0.patientID = pia.userID; $0.appointmentID = appointmentID; $0.kind = "open"
            }
        }
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for member in [admin, ann, pia] {
                group.addTask {
                    try await ErasureTests.signedIn(server, member) { connection -> Int in
                        var answered = 0
                        for base in bases {
                            for variant in try Self.integerVariants(of: base) {
                                let reply = try await connection.send(variant)
                                #expect(reply.code != .unavailable, "\(variant.type): \(reply.message ?? "")")
                                answered += 1
                            }
                            for text in try Self.stringVariants(of: base) {
                                try await connection.sendRaw(text)
                                let reply = try await connection.receiveReply()
                                #expect(reply.code != .unavailable, "\(base.type): \(reply.message ?? "")")
                                answered += 1
                            }
                        }
                        return answered
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(answered == 3 * (try bases.reduce(0) { $0 + (try Self.integerVariants(of: $1)).count + Self.hostileStrings.count + 1 }))
        // A time out of range is refused with a message naming the field, and audited as a refusal.
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            let reply = try await p.send(
                ConversationTests.request(.appointmentSlots) {
                    $0.clinicianID = ann.userID; $0.startsAt = .min; $0.endsAt = .max
                })
            #expect(reply.code == .badRequest && reply.message?.hasPrefix("startsAt must be a time") == true)
            #expect(try await p.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        #expect(try LogVerifier(key: key).verify(directory: server.data.auditLog).isValid)
        #expect(
            ErasureTests.occurrences(of: ["JaneDoe", "etc/passwd", "evil"], under: server.data.auditLog).isEmpty,
            "client strings never reach the audit log")
    }

    /// A clinician's stored block with times no request may now carry (as a database written by
    /// an older server may hold) is ignored: slots are still computed from the rest.
    @Test func storedAvailabilityBreakingTheRulesIsIgnored() {
        let calendar = SlotCalendar(timeZone: TimeZone(identifier: "UTC")!)
        let start: Int64 = 1_900_000_000
        var good = AvailabilityRecord(clinicianID: "u", kind: .open, slotMinutes: 30, location: "Room 1", createdAt: 0)
        (good.startsAt, good.endsAt) = (start, start + 3600)
        var huge = good
        (huge.startsAt, huge.endsAt) = (Int64.min, Int64.max)
        var closedForever = good
        closedForever.kind = .closed
        (closedForever.startsAt, closedForever.endsAt) = (Int64.min + 1, Int64.max)
        var tinySlots = good
        tinySlots.slotMinutes = 0
        #expect(
            !SlotCalendar.isUsable(huge) && !SlotCalendar.isUsable(closedForever) && !SlotCalendar.isUsable(tinySlots) && SlotCalendar.isUsable(good))
        let slots = calendar.slots([good, huge, closedForever, tinySlots], from: start, to: start + 7200)
        #expect(slots.map(\.startsAt) == [start, start + 1800])
    }
}
