import Foundation
import Testing
import WardProtocol
import WardTestSupport

/// Typed request payloads (issue 20) put on the wire the same flat object `ClientRequest` does.
@Suite("Request payloads")
struct RequestPayloadTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func aFrameIsTheFlatObjectAClientRequestWrites() throws {
        let write = RecordWrite(patientID: "user:pia", section: "notes", resource: #"{"resourceType": "Observation"}"#, entryID: "entry:1")
        var request = ClientRequest(id: 42, type: .recordWrite, patientID: "user:pia")
        request.section = "notes"
        request.resource = write.resource
        request.entryID = "entry:1"
        #expect(try Self.json(RequestFrame(id: 42, payload: write)) == Self.json(request))
    }

    @Test func aRequestWithoutFieldsIsItsIdAndTypeAlone() throws {
        #expect(try Self.json(RequestFrame(id: 5, payload: RoomList())) == #"{"id":5,"type":"room.list"}"#)
        #expect(try Self.json(RequestFrame(id: 6, payload: Ping())) == Self.json(ClientRequest(id: 6, type: .ping)))
    }

    @Test func theServerReadsAFrameBackAsItsPayload() throws {
        let review = BreakGlassReview(breakGlassID: 7, verdict: "justified")
        let frame = try JSONEncoder().encode(RequestFrame(id: 3, payload: review))
        let envelope = try JSONDecoder().decode(ClientRequest.self, from: frame)
        #expect(envelope.id == 3 && envelope.requestType == .breakGlassReview)
        let payload = try JSONDecoder().decode(BreakGlassReview.self, from: frame)
        #expect(payload.breakGlassID == 7 && payload.verdict == "justified" && payload.kind == nil)
    }

    /// The five account requests share one generic payload; each still says its own type.
    @Test func aGenericPayloadSaysItsOwnType() throws {
        let frame = try JSONEncoder().encode(RequestFrame(id: 9, payload: NamedAccount<UserDisable>(username: "ann")))
        let envelope = try JSONDecoder().decode(ClientRequest.self, from: frame)
        #expect(envelope.requestType == .userDisable && envelope.username == "ann" && envelope.userID == nil)
        #expect(CareTeamChange<CareTeamRemove>.type == .careTeamRemove)
    }

    @Test func aMissingFieldIsNamed() {
        let frame = Data(#"{"id": 1, "type": "record.write", "patientID": "user:pia", "section": "notes"}"#.utf8)
        #expect {
            try JSONDecoder().decode(RecordWrite.self, from: frame)
        } throws: { error in
            guard case let DecodingError.keyNotFound(key, _) = error else { return false }
            return key.stringValue == "resource"
        }
    }
}
