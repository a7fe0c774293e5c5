import Foundation
import WardProtocol

/// A request frame, parsed once: the envelope (`id`, `type`), the range check of its integers
/// (`WireRanges`) and the payload its route names (`RequestRoute.payloadType`), all from one
/// pass of the decoder. A payload that does not decode is kept as its refusal and thrown when the
/// handler asks for it (`payload(_:)`), after the dispatcher's session check: a request is
/// refused for its session before its fields are, the ranges of its integers excepted
/// (docs/PROTOCOL.md, "Types of fields").
struct IncomingRequest: Decodable {
    let id: Int
    /// The type as sent; `requestType` is nil when the protocol has no such type.
    let typeName: String
    let requestType: RequestType?
    /// The first integer out of range, as the message to answer (`WireRanges.violation`).
    let outOfRange: String?
    private let payload: Result<any RequestPayload, ReplyError>?

    private enum Keys: String, CodingKey { case id, type }

    init(from decoder: any Decoder) throws {
        let envelope = try decoder.container(keyedBy: Keys.self)
        id = try envelope.decode(Int.self, forKey: .id)
        typeName = try envelope.decode(String.self, forKey: .type)
        requestType = RequestType(rawValue: typeName)
        outOfRange = WireRanges.violation(in: decoder)
        guard let requestType, let payloadType = RequestRoute.table[requestType]?.payloadType else {
            payload = nil
            return
        }
        do {
            payload = .success(try payloadType.init(from: decoder))
        } catch {
            payload = .failure(Self.refusal(error))
        }
    }

    /// The request's typed payload, or the refusal of the fields that did not decode.
    func payload<Payload: RequestPayload>(_: Payload.Type) throws -> Payload {
        switch payload {
        case let .success(payload as Payload): return payload
        case let .failure(refusal): throw refusal
        default: throw ReplyError(code: .badRequest, message: "the request's fields do not match \(Payload.type.rawValue); see docs/PROTOCOL.md")
        }
    }

    /// The refusal names the field: missing (`X is required`), of another JSON type (`X must be
    /// a string`), or a value its type cannot hold (`X is not valid`). A fraction or a number
    /// beyond 64 bits where an integer belongs is refused without the field's name: Foundation's
    /// decoder throws its own error for it, which names no field. Client text is never echoed.
    private static func refusal(_ error: any Error) -> ReplyError {
        /// `envelope.nonce`, `keys[2].deviceID`: our own field names and list positions only.
        func field(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).reduce("") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }
        }
        let message: String
        switch error {
        case let DecodingError.keyNotFound(key, context): message = "\(field(context, key)) is required"
        case let DecodingError.valueNotFound(_, context): message = "\(field(context)) is required"
        case let DecodingError.typeMismatch(expected, context): message = "\(field(context)) must be \(jsonType(expected))"
        case let DecodingError.dataCorrupted(context): message = "\(field(context)) is not valid"
        default: message = "a value does not fit its field (integers are whole numbers of at most 64 bits); see docs/PROTOCOL.md"
        }
        return ReplyError(code: .badRequest, message: message)
    }

    /// The JSON type (docs/PROTOCOL.md, "Types of fields") a Swift type is read from.
    private static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
